namespace Thaw.Inference.Jobs;

/// <summary>What every output store shares: the chains read from its markers, and the check it makes before it commits.</summary>
public static class BatchOutputCommits
{
    /// <summary>The chain of each range among the stored markers, keyed by first line.</summary>
    public static IReadOnlyList<BatchProgress> Progress<T>(IReadOnlyDictionary<int, T> markers, IReadOnlyList<LineRange> ranges, Func<T, BatchChunk> chunkOf) =>
        [.. ranges.Select(r => BatchProgress.Chain(markers, r, chunkOf).Progress)];

    /// <summary>
    /// The stored chunks of each chain of <paramref name="expected"/>, in order, when they still cover exactly what it
    /// says (the chunking may differ: a concurrent run of the same lines chunked them otherwise, with the same results).
    /// </summary>
    /// <exception cref="InvalidOperationException">They do not: another run of the batch rewrote them.</exception>
    public static List<T> Select<T>(string batchId, IReadOnlyList<BatchProgress> expected, IReadOnlyDictionary<int, T> markers, Func<T, BatchChunk> chunkOf)
    {
        var selected = new List<T>();
        foreach (BatchProgress chain in expected)
        {
            (BatchProgress covered, List<T> chunks) = BatchProgress.Chain(markers, new LineRange(chain.FirstLine, chain.EndLine), chunkOf);
            if (!covered.Covers(chain))
            {
                throw new InvalidOperationException(
                    $"Batch {batchId}: the run wrote lines {chain.FirstLine} to {chain.EndLine}, but the stored chunks from line {chain.FirstLine} now cover lines to {covered.EndLine}: another run rewrote them. The job is retried and resumes from what is stored.");
            }

            selected.AddRange(chunks);
        }

        return selected;
    }
}
