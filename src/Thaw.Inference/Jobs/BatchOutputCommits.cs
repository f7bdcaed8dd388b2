namespace Thaw.Inference.Jobs;

/// <summary>The check every output store makes before it commits: the stored chunks are the ones the run wrote.</summary>
public static class BatchOutputCommits
{
    /// <summary>
    /// The first <see cref="BatchProgress.Chunks"/> of the <paramref name="contiguous"/> stored chunks, when they cover
    /// exactly what <paramref name="expected"/> says.
    /// </summary>
    /// <exception cref="InvalidOperationException">They do not: another run of the batch rewrote them with other bounds.</exception>
    public static List<T> Select<T>(string batchId, BatchProgress expected, List<T> contiguous, Func<T, BatchChunk> chunkOf)
    {
        List<T> selected = contiguous.Count >= expected.Chunks ? contiguous[..expected.Chunks] : contiguous;
        BatchProgress covered = selected.Aggregate(BatchProgress.None, (progress, chunk) => progress.After(chunkOf(chunk)));
        return covered == expected
            ? selected
            : throw new InvalidOperationException(
                $"Batch {batchId}: the run wrote {expected.Chunks} chunks to line {expected.Lines}, but the stored chunks now cover {covered.Chunks} to line {covered.Lines}: another run rewrote them. The job is retried and resumes from what is stored.");
    }
}
