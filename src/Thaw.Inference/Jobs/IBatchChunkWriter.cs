namespace Thaw.Inference.Jobs;

/// <summary>
/// One chunk being written, streamed to its destination as lines are answered: nothing of it counts until
/// <see cref="CompleteAsync"/> makes it durable and records the lines it covers. Disposing an unfinished writer
/// drops what it wrote (a rerun writes the chunk again).
/// </summary>
public interface IBatchChunkWriter : IAsyncDisposable
{
    /// <summary>Appends whole JSONL lines to the chunk's part of the output file.</summary>
    Task WriteOutputAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken = default);

    /// <summary>Appends whole JSONL lines to the chunk's part of the error file.</summary>
    Task WriteErrorsAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken = default);

    /// <summary>Makes the chunk durable and writes its marker (last), which records <paramref name="chunk"/>.</summary>
    Task CompleteAsync(BatchChunk chunk, CancellationToken cancellationToken = default);
}
