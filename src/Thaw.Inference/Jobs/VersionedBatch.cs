namespace Thaw.Inference.Jobs;

/// <summary>A batch as read, with the version (ETag) that a conditional update must name.</summary>
public sealed record VersionedBatch(BatchRecord Batch, string ETag);
