using System.Text.Json.Serialization;

namespace Thaw.Inference.Models;

[JsonConverter(typeof(JsonStringEnumConverter<ModelState>))]
public enum ModelState
{
    /// <summary>Known, not loaded.</summary>
    [JsonStringEnumMemberName("cold")]
    Cold,

    [JsonStringEnumMemberName("loading")]
    Loading,

    [JsonStringEnumMemberName("ready")]
    Ready,

    /// <summary>Evicted or idle past its keep-alive: finishing its accepted work, then releasing its memory.</summary>
    [JsonStringEnumMemberName("unloading")]
    Unloading,

    /// <summary>The last load failed; the next request tries again.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,
}
