namespace Thaw.Inference.Jobs;

/// <summary>
/// A batch's results, written chunk by chunk with identities derived from the chunk index: writing chunk k again
/// replaces it, so a redelivered job that redoes a chunk never duplicates a line. Chunks become the output and
/// error files only on commit.
/// </summary>
public interface IBatchOutput
{
    /// <summary>The contiguous chunks already written (from 0), where a redelivered job resumes.</summary>
    Task<BatchProgress> ReadProgressAsync(string batchId, CancellationToken cancellationToken = default);

    /// <summary>Writes (or rewrites) one chunk durably; it counts as written only once whole.</summary>
    Task WriteChunkAsync(string batchId, BatchChunk chunk, CancellationToken cancellationToken = default);

    /// <summary>Joins chunks 0 to <paramref name="chunks"/> - 1 into the output and error files (idempotent: same file ids).</summary>
    Task<CommittedOutput> CommitAsync(string batchId, int chunks, CancellationToken cancellationToken = default);
}
