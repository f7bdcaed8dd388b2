namespace Thaw.Inference.Jobs.Local;

/// <summary>A batch on local disk, with the version that conditional updates compare.</summary>
internal sealed record StoredBatch(long Version, BatchRecord Batch);
