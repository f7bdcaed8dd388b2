using System.Text.Json;
using Thaw.Inference.Storage;

namespace Thaw.Inference.Jobs.Local;

/// <summary>A chunk of <see cref="LocalBatchOutput"/>: two files streamed beside their targets, renamed when whole, then the marker.</summary>
internal sealed class LocalChunkWriter : IBatchChunkWriter
{
    private readonly string _outputPath;
    private readonly string _errorsPath;
    private readonly string _markerPath;
    private readonly string _attempt;
    private readonly string _outputPartial;
    private readonly string _errorsPartial;
    private readonly FileStream _output;
    private readonly FileStream _errors;

    public LocalChunkWriter(string outputPath, string errorsPath, string markerPath, string attempt)
    {
        (_outputPath, _errorsPath, _markerPath, _attempt) = (outputPath, errorsPath, markerPath, attempt);
        _outputPartial = AtomicFile.PartialPath(outputPath);
        _errorsPartial = AtomicFile.PartialPath(errorsPath);
        _output = Create(_outputPartial);
        _errors = Create(_errorsPartial);
    }

    public Task WriteOutputAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken = default) =>
        _output.WriteAsync(lines, cancellationToken).AsTask();

    public Task WriteErrorsAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken = default) =>
        _errors.WriteAsync(lines, cancellationToken).AsTask();

    public async Task CompleteAsync(BatchChunk chunk, CancellationToken cancellationToken = default)
    {
        foreach (FileStream stream in new[] { _output, _errors })
        {
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        // Streamed across calls, so published rather than written in one go; the marker comes last.
        AtomicFile.Publish(_outputPartial, _outputPath);
        AtomicFile.Publish(_errorsPartial, _errorsPath);
        var marker = new StoredChunk(chunk.FirstLine, chunk.Lines, chunk.Completed, chunk.Failed, _attempt);
        await AtomicFile.WriteAsync(_markerPath, JsonSerializer.SerializeToUtf8Bytes(marker, LocalJobsJsonContext.Default.StoredChunk), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _output.DisposeAsync().ConfigureAwait(false);
        await _errors.DisposeAsync().ConfigureAwait(false);
        File.Delete(_outputPartial);
        File.Delete(_errorsPartial);
    }

    private static FileStream Create(string path) =>
        new(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
}
