using System.Text.Json.Serialization;

namespace Thaw.Inference.Catalog;

[JsonConverter(typeof(JsonStringEnumConverter<ModelTask>))]
public enum ModelTask
{
    Embedding,

    /// <summary>A decoder served by <c>/v1/completions</c> and <c>/v1/chat/completions</c> (<c>"text-generation"</c> in a manifest).</summary>
    [JsonStringEnumMemberName("text-generation")]
    TextGeneration,
}
