namespace Thaw.Inference.Jobs;

/// <summary>
/// A batch's work area: its results, written chunk by chunk with identities derived from the chunk index (writing
/// chunk k again replaces it, so a redelivered job that redoes a chunk never duplicates a line), and the lease that
/// says a worker is running it. Chunks become the output and error files only on commit.
/// </summary>
public interface IBatchOutput
{
    /// <summary>The chunks already written that follow on from line 0 (see <see cref="BatchProgress.Contiguous{T}"/>), where a redelivered job resumes.</summary>
    Task<BatchProgress> ReadProgressAsync(string batchId, CancellationToken cancellationToken = default);

    /// <summary>Starts writing (or rewriting) chunk <paramref name="index"/>; it replaces an earlier chunk k only once complete.</summary>
    Task<IBatchChunkWriter> BeginChunkAsync(string batchId, int index, CancellationToken cancellationToken = default);

    /// <summary>
    /// Joins the chunks of <paramref name="progress"/> into the output and error files (idempotent: same file ids).
    /// </summary>
    /// <exception cref="InvalidOperationException">The stored chunks no longer match <paramref name="progress"/> (another run rewrote them).</exception>
    Task<CommittedOutput> CommitAsync(string batchId, BatchProgress progress, CancellationToken cancellationToken = default);

    /// <summary>Records that a worker runs the batch until <paramref name="until"/> (it renews as it works).</summary>
    Task RenewLeaseAsync(string batchId, DateTimeOffset until, CancellationToken cancellationToken = default);

    /// <summary>Until when a worker last said it runs the batch, or null when none ever did.</summary>
    Task<DateTimeOffset?> ReadLeaseAsync(string batchId, CancellationToken cancellationToken = default);
}
