using System.Text.Json;
using System.Text.Json.Serialization;

namespace Thaw.Http.Contracts;

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(EmbeddingsRequest))]
[JsonSerializable(typeof(EmbeddingsResponse))]
[JsonSerializable(typeof(ModelsResponse))]
[JsonSerializable(typeof(ReadinessResponse))]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(string[]))]
public sealed partial class ThawJsonContext : JsonSerializerContext;
