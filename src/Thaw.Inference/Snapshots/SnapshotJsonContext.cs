using System.Text.Json;
using System.Text.Json.Serialization;

namespace Thaw.Inference.Snapshots;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(SnapshotManifest))]
internal sealed partial class SnapshotJsonContext : JsonSerializerContext;
