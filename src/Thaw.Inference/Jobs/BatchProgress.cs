namespace Thaw.Inference.Jobs;

/// <summary>
/// What is durably written: chunks 0 to <see cref="Chunks"/> - 1, which cover input lines 0 to <see cref="Lines"/> - 1,
/// and their line counts.
/// </summary>
public sealed record BatchProgress(int Chunks, int Lines, int Completed, int Failed)
{
    public static BatchProgress None { get; } = new(0, 0, 0, 0);

    /// <summary>The progress one more chunk makes.</summary>
    public BatchProgress After(BatchChunk chunk) => chunk.Index == Chunks && chunk.FirstLine == Lines
        ? new(Chunks + 1, chunk.EndLine, Completed + chunk.Completed, Failed + chunk.Failed)
        : throw new InvalidOperationException($"Chunk {chunk.Index} (lines from {chunk.FirstLine}) does not follow chunk {Chunks - 1} (lines to {Lines}); this is a bug.");

    /// <summary>
    /// The chunks that follow on from line 0 without a gap, in index order: each starts where the one before ended.
    /// A marker that does not follow on (lost, or left by a run that chunked differently and was overtaken) ends them.
    /// </summary>
    public static (BatchProgress Progress, List<T> Chunks) Contiguous<T>(IEnumerable<T> markers, Func<T, BatchChunk> chunkOf)
    {
        var byIndex = new Dictionary<int, T>();
        foreach (T marker in markers)
        {
            byIndex[chunkOf(marker).Index] = marker;
        }

        BatchProgress progress = None;
        var chunks = new List<T>();
        while (byIndex.TryGetValue(progress.Chunks, out T? next) && chunkOf(next).FirstLine == progress.Lines)
        {
            progress = progress.After(chunkOf(next));
            chunks.Add(next);
        }

        return (progress, chunks);
    }
}
