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
