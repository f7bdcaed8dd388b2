using System.Text.Json;
using System.Text.Json.Serialization;

namespace Thaw.Inference.Jobs;

/// <summary>Job messages and stored records, in OpenAI's snake_case.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(JobMessage))]
[JsonSerializable(typeof(BatchRecord))]
[JsonSerializable(typeof(FileRecord))]
[JsonSerializable(typeof(StoredBatch))]
[JsonSerializable(typeof(StoredChunk))]
internal sealed partial class JobsJsonContext : JsonSerializerContext;
