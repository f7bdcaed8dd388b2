using System.Text.Json;
using System.Text.Json.Serialization;

namespace Thaw.Inference.KeepAlive;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(IdleTimeHistogramDocument))]
internal sealed partial class KeepAliveJsonContext : JsonSerializerContext;
