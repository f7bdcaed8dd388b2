namespace Thaw.Inference.Jobs;

/// <summary>
/// A batch's work area: its results, written chunk by chunk with identities derived from the chunk's first line
/// (writing a chunk at line L again replaces it, so a redelivered job or shard that redoes a chunk never duplicates a
/// line), and the lease that says a worker is running it. Chunks become the output and error files only on commit.
/// </summary>
public interface IBatchOutput
{
    /// <summary>
    /// For each range, the chain of chunks already written from its start (see <see cref="BatchProgress.Chain{T}"/>):
    /// where a redelivered job resumes, and how far the batch is.
    /// </summary>
    Task<IReadOnlyList<BatchProgress>> ReadProgressAsync(string batchId, IReadOnlyList<LineRange> ranges, CancellationToken cancellationToken = default);

    /// <summary>Starts writing (or rewriting) the chunk at <paramref name="firstLine"/>; it replaces an earlier one only once complete.</summary>
    Task<IBatchChunkWriter> BeginChunkAsync(string batchId, int firstLine, CancellationToken cancellationToken = default);

    /// <summary>
    /// Joins the chains of <paramref name="progress"/>, in order, into the output and error files (idempotent: same file ids),
    /// which belong to <paramref name="owner"/>, the batch's owner.
    /// </summary>
    /// <exception cref="InvalidOperationException">The stored chunks no longer match <paramref name="progress"/> (another run rewrote them).</exception>
    Task<CommittedOutput> CommitAsync(string batchId, string owner, IReadOnlyList<BatchProgress> progress, CancellationToken cancellationToken = default);

    /// <summary>Records that a worker runs the batch until <paramref name="until"/> (it renews as it works).</summary>
    Task RenewLeaseAsync(string batchId, DateTimeOffset until, CancellationToken cancellationToken = default);

    /// <summary>Until when a worker last said it runs the batch, or null when none ever did.</summary>
    Task<DateTimeOffset?> ReadLeaseAsync(string batchId, CancellationToken cancellationToken = default);
}
