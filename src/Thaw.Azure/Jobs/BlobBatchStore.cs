using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Jobs;

/// <summary>
/// Batch records in Blob Storage, <c>batches/{id}.json</c>; the blob's ETag is the record's version, and updates are
/// conditional on it (If-Match), so the API's cancel and a runner on another instance never overwrite each other. A
/// list skips (and logs) a blob under <c>batches/</c> that is not a readable record, so one foreign or damaged blob
/// cannot break <c>GET /v1/batches</c> for everyone.
/// </summary>
internal sealed partial class BlobBatchStore(JobContainer container, ILogger<BlobBatchStore> logger) : IBatchStore
{
    public async Task CreateAsync(BatchRecord batch, CancellationToken cancellationToken = default)
    {
        BlobClient blob = await BlobAsync(batch.Id).ConfigureAwait(false);
        await blob.UploadAsync(BinaryData.FromBytes(Serialize(batch)),
            new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<VersionedBatch?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!JobIds.IsWellFormed(id))
        {
            return null;
        }

        try
        {
            BlobDownloadResult result = await (await BlobAsync(id).ConfigureAwait(false)).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            BatchRecord batch = JsonSerializer.Deserialize(result.Content.ToMemory().Span, JobsJson.BatchRecord)
                ?? throw new InvalidDataException($"The batch blob '{id}' holds null.");
            return new VersionedBatch(batch, result.Details.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<string?> TryUpdateAsync(BatchRecord batch, string etag, CancellationToken cancellationToken = default)
    {
        try
        {
            BlobClient blob = await BlobAsync(batch.Id).ConfigureAwait(false);
            Response<BlobContentInfo> written = await blob.UploadAsync(BinaryData.FromBytes(Serialize(batch)),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = new ETag(etag) } }, cancellationToken).ConfigureAwait(false);
            return written.Value.ETag.ToString();
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return null;
        }
    }

    public async Task<BatchPage> ListAsync(int limit, string? after, CancellationToken cancellationToken = default)
    {
        // Ids are time-ordered, so names sort newest last: list the names, then read only the page.
        BlobContainerClient batches = await container.GetAsync().ConfigureAwait(false);
        var ids = new List<string>();
        await foreach (BlobItem item in batches.GetBlobsAsync(BlobTraits.None, BlobStates.None, "batches/", cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            string name = item.Name["batches/".Length..];
            if (name.EndsWith(".json", StringComparison.Ordinal) && JobIds.IsWellFormed(name[..^".json".Length]))
            {
                ids.Add(name[..^".json".Length]);
            }
            else
            {
                LogUnreadable(item.Name);
            }
        }

        ids.Sort(StringComparer.Ordinal);
        ids.Reverse();
        int start = after is null ? 0 : ids.IndexOf(after) + 1;
        if (after is not null && start == 0)
        {
            return new BatchPage([], false);
        }

        var page = new List<BatchRecord>();
        foreach (string id in ids.Skip(start).Take(limit))
        {
            try
            {
                if (await GetAsync(id, cancellationToken).ConfigureAwait(false) is { } found)
                {
                    page.Add(found.Batch);
                }
            }
            catch (Exception e) when (e is JsonException or InvalidDataException or NotSupportedException)
            {
                LogUnreadable($"batches/{id}.json");
            }
        }

        return new BatchPage(page, start + Math.Min(limit, ids.Count - start) < ids.Count);
    }

    private async Task<BlobClient> BlobAsync(string id) => (await container.GetAsync().ConfigureAwait(false)).GetBlobClient($"batches/{id}.json");

    private static byte[] Serialize(BatchRecord batch) => JsonSerializer.SerializeToUtf8Bytes(batch, JobsJson.BatchRecord);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "The blob {Name} is not a readable batch record; the list skips it")]
    private partial void LogUnreadable(string name);
}
