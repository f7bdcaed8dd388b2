using System.Text.Json.Serialization;

namespace Thaw.Inference.Catalog;

[JsonConverter(typeof(JsonStringEnumConverter<ModelTask>))]
public enum ModelTask
{
    Embedding,
}
