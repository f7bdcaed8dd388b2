using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Thaw.Http.Contracts;

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
