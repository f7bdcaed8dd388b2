using System.Text.Json;
using System.Text.Json.Serialization;

namespace Thaw.Inference.Jobs;

/// <summary>Job messages and the records every store keeps, in OpenAI's snake_case.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(JobMessage))]
[JsonSerializable(typeof(BatchRecord))]
[JsonSerializable(typeof(FileRecord))]
internal sealed partial class JobsJsonContext : JsonSerializerContext;
