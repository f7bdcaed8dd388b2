using System.Text.Json.Serialization.Metadata;

namespace Thaw.Inference.Jobs;

/// <summary>The serializer of stored job records, for stores outside this assembly (Blob Storage).</summary>
public static class JobsJson
{
    public static JsonTypeInfo<BatchRecord> BatchRecord => JobsJsonContext.Default.BatchRecord;
}
