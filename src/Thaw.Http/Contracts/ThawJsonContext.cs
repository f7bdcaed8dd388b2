using System.Text.Json;
using System.Text.Json.Serialization;
using Thaw.Inference.Jobs;

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
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(ChatCompletionResponse))]
[JsonSerializable(typeof(CompletionRequest))]
[JsonSerializable(typeof(CompletionResponse))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(CreateBatchRequest))]
[JsonSerializable(typeof(BatchRecord))]
[JsonSerializable(typeof(BatchStatus))]
[JsonSerializable(typeof(BatchList))]
[JsonSerializable(typeof(FileRecord))]
[JsonSerializable(typeof(FileList))]
[JsonSerializable(typeof(FileDeleted))]
public sealed partial class ThawJsonContext : JsonSerializerContext;
