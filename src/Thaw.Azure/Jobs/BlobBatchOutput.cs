using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Options;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Jobs;

/// <summary>
/// A batch's results as staged blocks of its output and error blobs (<c>files/{output id}</c>, <c>files/{error id}</c>),
/// streamed as lines are answered (<see cref="StagedBlocks"/>). A marker blob per chunk (<c>chunks/{batch}/{first line}</c>,
/// <see cref="BlobChunkMarker"/>) is written after the blocks: it says the chunk is whole, records its lines and names
/// its blocks, so writing the chunk at line L again replaces it and never duplicates lines. One listing reads them all. Commit writes the block lists; the
/// files appear only then. The lease is the metadata of <c>leases/{batch}</c>. (Staged blocks that are never committed
/// are dropped by the service after a week; a batch expires within a day.)
/// </summary>
internal sealed class BlobBatchOutput(JobContainer container, BlobFileStore files, IOptions<JobsOptions> options) : IBatchOutput
{
    private const string UntilKey = "until";

    public async Task<IReadOnlyList<BatchProgress>> ReadProgressAsync(string batchId, IReadOnlyList<LineRange> ranges, CancellationToken cancellationToken = default) =>
        BatchOutputCommits.Progress(await ReadMarkersAsync(batchId, cancellationToken).ConfigureAwait(false), ranges, m => m.Chunk);

    public async Task<IBatchChunkWriter> BeginChunkAsync(string batchId, int firstLine, CancellationToken cancellationToken = default)
    {
        string attempt = BlobChunkWriter.Attempt();
        BlockBlobClient output = await files.BlockBlobAsync(JobIds.OutputFileId(batchId)).ConfigureAwait(false);
        BlockBlobClient errors = await files.BlockBlobAsync(JobIds.ErrorFileId(batchId)).ConfigureAwait(false);
        BlobClient marker = (await container.GetAsync().ConfigureAwait(false)).GetBlobClient(MarkerName(batchId, firstLine));
        return new BlobChunkWriter(new StagedBlocks(output, firstLine, attempt), new StagedBlocks(errors, firstLine, attempt), marker, attempt);
    }

    public async Task<CommittedOutput> CommitAsync(string batchId, string owner, IReadOnlyList<BatchProgress> progress, CancellationToken cancellationToken = default)
    {
        Dictionary<int, BlobChunkMarker> stored = await ReadMarkersAsync(batchId, cancellationToken).ConfigureAwait(false);
        List<BlobChunkMarker> chunks = BatchOutputCommits.Select(batchId, progress, stored, m => m.Chunk);
        FileRecord output = await CommitFileAsync(JobIds.OutputFileId(batchId), owner, $"{batchId}_output.jsonl", chunks.SelectMany(c => c.OutputBlockIds).ToList(), cancellationToken)
            .ConfigureAwait(false);
        List<string> errorBlocks = chunks.SelectMany(c => c.ErrorBlockIds).ToList();
        if (errorBlocks.Count == 0)
        {
            return new CommittedOutput(output, null);
        }

        FileRecord errors = await CommitFileAsync(JobIds.ErrorFileId(batchId), owner, $"{batchId}_errors.jsonl", errorBlocks, cancellationToken).ConfigureAwait(false);
        return new CommittedOutput(output, errors);
    }

    public async Task RenewLeaseAsync(string batchId, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        BlobClient lease = (await container.GetAsync().ConfigureAwait(false)).GetBlobClient(LeaseName(batchId));
        await lease.UploadAsync(BinaryData.Empty, new BlobUploadOptions
        {
            Metadata = new Dictionary<string, string> { [UntilKey] = until.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) },
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DateTimeOffset?> ReadLeaseAsync(string batchId, CancellationToken cancellationToken = default)
    {
        try
        {
            BlobClient lease = (await container.GetAsync().ConfigureAwait(false)).GetBlobClient(LeaseName(batchId));
            BlobProperties properties = await lease.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return properties.Metadata.TryGetValue(UntilKey, out string? text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long milliseconds)
                ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds)
                : null;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    private async Task<Dictionary<int, BlobChunkMarker>> ReadMarkersAsync(string batchId, CancellationToken cancellationToken)
    {
        BlobContainerClient blobs = await container.GetAsync().ConfigureAwait(false);
        var markers = new Dictionary<int, BlobChunkMarker>();
        string prefix = $"chunks/{batchId}/";
        await foreach (BlobItem item in blobs.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (int.TryParse(item.Name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int firstLine)
                && BlobChunkMarker.Parse(firstLine, item.Metadata) is { } marker)
            {
                markers[firstLine] = marker;
            }
        }

        return markers;
    }

    private Task<FileRecord> CommitFileAsync(string fileId, string owner, string filename, List<string> blocks, CancellationToken cancellationToken) =>
        files.WriteAsync(fileId, filename, FilePurposes.BatchOutput, options.Value.OutputRetention, owner, async (blob, metadata) =>
        {
            if (blocks.Count == 0)
            {
                await blob.UploadAsync(BinaryData.Empty.ToStream(), new BlobUploadOptions { Metadata = metadata }, cancellationToken).ConfigureAwait(false);
                return 0;
            }

            await blob.CommitBlockListAsync(blocks, new CommitBlockListOptions { Metadata = metadata }, cancellationToken).ConfigureAwait(false);
            return (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value.ContentLength;
        }, cancellationToken);

    private static string MarkerName(string batchId, int firstLine) => string.Create(CultureInfo.InvariantCulture, $"chunks/{batchId}/{firstLine:D8}");

    private static string LeaseName(string batchId) => $"leases/{batchId}";
}
