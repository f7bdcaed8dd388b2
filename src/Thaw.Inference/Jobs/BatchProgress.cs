namespace Thaw.Inference.Jobs;

/// <summary>
/// What is durably written in one <see cref="LineRange"/>: the chain of <see cref="Chunks"/> chunks that starts at
/// line <see cref="FirstLine"/>, each starting where the one before ended, up to <see cref="EndLine"/>, and their
/// line counts.
/// </summary>
public sealed record BatchProgress(int FirstLine, int EndLine, int Chunks, int Completed, int Failed)
{
    /// <summary>Nothing written yet from <paramref name="firstLine"/>.</summary>
    public static BatchProgress At(int firstLine) => new(firstLine, firstLine, 0, 0, 0);

    /// <summary>Lines written: answered plus failed.</summary>
    public int Done => Completed + Failed;

    /// <summary>The progress one more chunk makes.</summary>
    public BatchProgress After(BatchChunk chunk) => chunk.FirstLine == EndLine
        ? new(FirstLine, chunk.EndLine, Chunks + 1, Completed + chunk.Completed, Failed + chunk.Failed)
        : throw new InvalidOperationException($"A chunk from line {chunk.FirstLine} does not follow the chunks to line {EndLine}; this is a bug.");

    /// <summary>Whether the chain covers the same lines with the same counts (however another run chunked them).</summary>
    public bool Covers(BatchProgress other) => (FirstLine, EndLine, Completed, Failed) == (other.FirstLine, other.EndLine, other.Completed, other.Failed);

    /// <summary>
    /// The chain of <paramref name="range"/>: the marker at its start, then the one at that chunk's end, and so on,
    /// while a marker exists and ends within the range. Markers are keyed by first line, so two runs that chunked the
    /// same lines differently still leave one consistent chain (whichever marker was written last at each line); a
    /// marker off the chain (overtaken by a rewrite with other bounds) is ignored, and its lines are not counted twice.
    /// </summary>
    public static (BatchProgress Progress, List<T> Chunks) Chain<T>(IReadOnlyDictionary<int, T> byFirstLine, LineRange range, Func<T, BatchChunk> chunkOf)
    {
        BatchProgress progress = At(range.Start);
        var chunks = new List<T>();
        while (progress.EndLine < range.End && byFirstLine.TryGetValue(progress.EndLine, out T? next) && chunkOf(next) is { Lines: > 0 } chunk
            && chunk.EndLine <= range.End)
        {
            progress = progress.After(chunk);
            chunks.Add(next);
        }

        return (progress, chunks);
    }
}
