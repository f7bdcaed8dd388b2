using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Thaw.Inference.Embeddings;

namespace Thaw.Http.Contracts;

/// <summary>The OpenAI embeddings response; <c>thaw embed</c> prints the same document.</summary>
public sealed class EmbeddingsResponse
{
    public string Object => "list";

    public required IReadOnlyList<EmbeddingItem> Data { get; init; }

    public required string Model { get; init; }

    public required EmbeddingsUsage Usage { get; init; }

    public static EmbeddingsResponse Create(string model, EmbeddingResult result, bool base64) => new()
    {
        Model = model,
        Data = result.Vectors.Select((v, i) => new EmbeddingItem { Index = i, Embedding = new EmbeddingVector(v, base64) }).ToArray(),
        Usage = new EmbeddingsUsage
        {
            PromptTokens = result.PromptTokens,
            TotalTokens = result.PromptTokens,
            TruncatedInputs = result.TruncatedInputs,
        },
    };
}

public sealed class EmbeddingItem
{
    public string Object => "embedding";

    public required int Index { get; init; }

    public required EmbeddingVector Embedding { get; init; }
}

/// <summary>Token counts: what the model processed, [CLS]/[SEP] included, after truncation.</summary>
public sealed class EmbeddingsUsage
{
    public required int PromptTokens { get; init; }

    public required int TotalTokens { get; init; }

    /// <summary>Thaw extension: inputs longer than the model's maximum whose tail was not embedded.</summary>
    public required int TruncatedInputs { get; init; }
}

/// <summary>A vector written as a JSON array of numbers, or as base64 of its little-endian float32 bytes.</summary>
[JsonConverter(typeof(EmbeddingVectorConverter))]
public readonly record struct EmbeddingVector(float[] Values, bool Base64);

internal sealed class EmbeddingVectorConverter : JsonConverter<EmbeddingVector>
{
    public override EmbeddingVector Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Embedding vectors are only written.");

    public override void Write(Utf8JsonWriter writer, EmbeddingVector value, JsonSerializerOptions options)
    {
        if (value.Base64)
        {
            // The wire format is little-endian; so is every platform .NET runs Thaw on.
            writer.WriteBase64StringValue(MemoryMarshal.AsBytes(value.Values.AsSpan()));
            return;
        }

        writer.WriteStartArray();
        foreach (float v in value.Values)
        {
            writer.WriteNumberValue(v);
        }

        writer.WriteEndArray();
    }
}
