using System.Globalization;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Jobs;

/// <summary>
/// A batch's results as staged blocks of its output and error blobs (<c>files/{output id}</c>, <c>files/{error id}</c>):
/// chunk k is the block whose id derives from k, so staging it again replaces it and never duplicates lines. A small
/// marker blob per chunk (<c>chunks/{batch}/{k}</c>, counts in its metadata) is written after the blocks: it says the
/// chunk is whole. Commit writes the block lists; the files appear only then. (Staged blocks that are never committed
/// are dropped by the service after a week; a batch expires within a day.)
/// </summary>
internal sealed class BlobBatchOutput(JobContainer container, BlobFileStore files, TimeProvider time) : IBatchOutput
{
    private const string CompletedKey = "completed";
    private const string FailedKey = "failed";

    public async Task<BatchProgress> ReadProgressAsync(string batchId, CancellationToken cancellationToken = default)
    {
        BlobContainerClient blobs = await container.GetAsync().ConfigureAwait(false);
        var markers = new SortedDictionary<int, (int Completed, int Failed)>();
        string prefix = $"chunks/{batchId}/";
        await foreach (BlobItem item in blobs.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            markers[int.Parse(item.Name[prefix.Length..], CultureInfo.InvariantCulture)] =
                (int.Parse(item.Metadata[CompletedKey], CultureInfo.InvariantCulture), int.Parse(item.Metadata[FailedKey], CultureInfo.InvariantCulture));
        }

        int chunks = 0, completed = 0, failed = 0;
        while (markers.TryGetValue(chunks, out (int Completed, int Failed) counts))
        {
            (completed, failed) = (completed + counts.Completed, failed + counts.Failed);
            chunks++;
        }

        return new BatchProgress(chunks, completed, failed);
    }

    public async Task WriteChunkAsync(string batchId, BatchChunk chunk, CancellationToken cancellationToken = default)
    {
        if (!chunk.Output.IsEmpty)
        {
            BlockBlobClient output = await files.BlockBlobAsync(JobIds.OutputFileId(batchId)).ConfigureAwait(false);
            await output.StageBlockAsync(BlockId(chunk.Index), BinaryData.FromBytes(chunk.Output).ToStream(), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        if (!chunk.Errors.IsEmpty)
        {
            BlockBlobClient errors = await files.BlockBlobAsync(JobIds.ErrorFileId(batchId)).ConfigureAwait(false);
            await errors.StageBlockAsync(BlockId(chunk.Index), BinaryData.FromBytes(chunk.Errors).ToStream(), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        BlobClient marker = (await container.GetAsync().ConfigureAwait(false)).GetBlobClient(MarkerName(batchId, chunk.Index));
        await marker.UploadAsync(BinaryData.Empty, new BlobUploadOptions
        {
            Metadata = new Dictionary<string, string>
            {
                [CompletedKey] = chunk.Completed.ToString(CultureInfo.InvariantCulture),
                [FailedKey] = chunk.Failed.ToString(CultureInfo.InvariantCulture),
            },
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<CommittedOutput> CommitAsync(string batchId, int chunks, CancellationToken cancellationToken = default)
    {
        BlobContainerClient blobs = await container.GetAsync().ConfigureAwait(false);
        var withOutput = new List<string>();
        var withErrors = new List<string>();
        for (int k = 0; k < chunks; k++)
        {
            BlobProperties marker = await blobs.GetBlobClient(MarkerName(batchId, k)).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            if (int.Parse(marker.Metadata[CompletedKey], CultureInfo.InvariantCulture) > 0)
            {
                withOutput.Add(BlockId(k));
            }

            if (int.Parse(marker.Metadata[FailedKey], CultureInfo.InvariantCulture) > 0)
            {
                withErrors.Add(BlockId(k));
            }
        }

        FileRecord output = await CommitFileAsync(JobIds.OutputFileId(batchId), $"{batchId}_output.jsonl", withOutput, cancellationToken).ConfigureAwait(false);
        if (withErrors.Count == 0)
        {
            return new CommittedOutput(output, null);
        }

        FileRecord errors = await CommitFileAsync(JobIds.ErrorFileId(batchId), $"{batchId}_errors.jsonl", withErrors, cancellationToken).ConfigureAwait(false);
        return new CommittedOutput(output, errors);
    }

    private async Task<FileRecord> CommitFileAsync(string fileId, string filename, List<string> blocks, CancellationToken cancellationToken)
    {
        long created = time.GetUtcNow().ToUnixTimeSeconds();
        Dictionary<string, string> metadata = BlobFileStore.Metadata(filename, FilePurposes.BatchOutput, created);
        BlockBlobClient blob = await files.BlockBlobAsync(fileId).ConfigureAwait(false);
        if (blocks.Count == 0)
        {
            await blob.UploadAsync(BinaryData.Empty.ToStream(), new BlobUploadOptions { Metadata = metadata }, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await blob.CommitBlockListAsync(blocks, new CommitBlockListOptions { Metadata = metadata }, cancellationToken).ConfigureAwait(false);
        }

        return await files.GetAsync(fileId, cancellationToken).ConfigureAwait(false)
            ?? throw new RequestFailedException(404, $"The file '{fileId}' vanished right after its commit.");
    }

    // Block ids of one blob must all have the same length: the chunk index, zero-padded.
    private static string BlockId(int index) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"chunk-{index:D8}")));

    private static string MarkerName(string batchId, int index) => string.Create(CultureInfo.InvariantCulture, $"chunks/{batchId}/{index:D8}");
}
