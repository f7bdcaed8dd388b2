using System.Text.Json;
using System.Text.Json.Serialization;

namespace Thaw.Inference.Jobs.Local;

/// <summary>The records only the local-disk stores keep, with the options of <see cref="JobsJsonContext"/>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StoredBatch))]
[JsonSerializable(typeof(StoredChunk))]
internal sealed partial class LocalJobsJsonContext : JsonSerializerContext;
