using System.Text.Json.Serialization;

namespace Thaw.Inference.Catalog;

[JsonConverter(typeof(JsonStringEnumConverter<ModelFileRole>))]
public enum ModelFileRole
{
    Model,
    Vocab,
}
