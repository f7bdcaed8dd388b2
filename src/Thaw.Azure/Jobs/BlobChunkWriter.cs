using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Jobs;

/// <summary>A chunk of <see cref="BlobBatchOutput"/>: blocks staged as lines arrive, then the marker that names them.</summary>
internal sealed class BlobChunkWriter(StagedBlocks output, StagedBlocks errors, BlobClient marker, string attempt) : IBatchChunkWriter
{
    public Task WriteOutputAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken = default) => output.WriteAsync(lines, cancellationToken);

    public Task WriteErrorsAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken = default) => errors.WriteAsync(lines, cancellationToken);

    public async Task CompleteAsync(BatchChunk chunk, CancellationToken cancellationToken = default)
    {
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        await errors.FlushAsync(cancellationToken).ConfigureAwait(false);
        await marker.UploadAsync(BinaryData.Empty, new BlobUploadOptions
        {
            Metadata = BlobChunkMarker.Metadata(chunk, attempt, output.Blocks, errors.Blocks),
        }, cancellationToken).ConfigureAwait(false);
    }

    // Staged blocks that no marker names are never committed; the service drops them after a week.
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    internal static string Attempt() => Guid.NewGuid().ToString("N")[..12];
}
