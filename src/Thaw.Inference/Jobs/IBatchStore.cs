namespace Thaw.Inference.Jobs;

/// <summary>Batch records with optimistic concurrency: the API (cancel) and the runner (progress) both write them.</summary>
public interface IBatchStore
{
    /// <summary>Stores a new batch.</summary>
    Task CreateAsync(BatchRecord batch, CancellationToken cancellationToken = default);

    /// <summary>The batch and its version, or null when there is no such batch.</summary>
    Task<VersionedBatch?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Replaces the batch if it is still at <paramref name="etag"/>; returns the new version, or null on a conflict.</summary>
    Task<string?> TryUpdateAsync(BatchRecord batch, string etag, CancellationToken cancellationToken = default);

    /// <summary>
    /// Batches newest first, at most <paramref name="limit"/>, starting after the batch <paramref name="after"/>: those of
    /// <paramref name="owner"/>, read from that owner's index only, or every owner's when null (the sweep, the restart).
    /// </summary>
    Task<BatchPage> ListAsync(int limit, string? after, string? owner, CancellationToken cancellationToken = default);
}
