using System.Text.Json.Serialization;

namespace Thaw.Inference.Catalog;

[JsonConverter(typeof(JsonStringEnumConverter<PoolingKind>))]
public enum PoolingKind
{
    /// <summary>Mean of the token vectors under the attention mask (sentence-transformers' default).</summary>
    Mean,

    /// <summary>The vector of the first ([CLS]) token.</summary>
    Cls,
}
