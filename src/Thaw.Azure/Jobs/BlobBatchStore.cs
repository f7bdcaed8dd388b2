using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Thaw.Azure.Storage;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Jobs;

/// <summary>
/// Batch records in Blob Storage, <c>batches/{id}.json</c>; the blob's ETag is the record's version, and updates are
/// conditional on it (If-Match), so the API's cancel and a runner on another instance never overwrite each other. An
/// empty <c>batches-index/{owner}/{id}</c>, written before the record, lets an owner's list read that owner's names and
/// records only; a record without an entry is therefore from before owners, and the first owner's list of an instance
/// gives each such record an entry under <c>default</c>. A list skips (and logs) a blob that is not a readable record,
/// so one foreign or damaged blob cannot break <c>GET /v1/batches</c> for everyone.
/// </summary>
internal sealed partial class BlobBatchStore(JobContainer container, ILogger<BlobBatchStore> logger) : IBatchStore
{
    private const string IndexRoot = "batches-index/";

    private OnceAsync? _legacy;

    public async Task CreateAsync(BatchRecord batch, CancellationToken cancellationToken = default)
    {
        if (!OwnerNames.IsValid(batch.Owner))
        {
            throw new ArgumentException($"Bug: '{batch.Owner}' is not an owner name; options validation admits only [a-z0-9-]{{1,{OwnerNames.MaxLength}}}.", nameof(batch));
        }

        // The entry first: a record without one is from before owners (see MigrateLegacyAsync); a listed entry whose record is missing is skipped.
        await WriteEntryAsync(batch.Owner, batch.Id, cancellationToken).ConfigureAwait(false);
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

    public async Task<BatchPage> ListAsync(int limit, string? after, string? owner, CancellationToken cancellationToken = default)
    {
        if (owner is not null && !OwnerNames.IsValid(owner))
        {
            return new BatchPage([], false);
        }

        List<string> ids;
        if (owner is null)
        {
            ids = await RecordIdsAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await MigrateLegacyAsync(cancellationToken).ConfigureAwait(false);
            ids = [.. (await IndexedIdsAsync(IndexRoot + owner + "/", cancellationToken).ConfigureAwait(false)).Select(entry => entry.Id)];
        }

        // Ids are time-ordered, so names sort newest last: list the names, then read only the page.
        ids.Sort(StringComparer.Ordinal);
        ids.Reverse();
        return await BatchPage.ReadAsync(ids, after, limit, async (id, token) =>
        {
            try
            {
                return (await GetAsync(id, token).ConfigureAwait(false))?.Batch;
            }
            catch (Exception e) when (e is JsonException or InvalidDataException or NotSupportedException)
            {
                LogUnreadable($"batches/{id}.json");
                return null;
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<string>> RecordIdsAsync(CancellationToken cancellationToken)
    {
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

        return ids;
    }

    /// <summary>The entries under <paramref name="prefix"/> (one owner's, or every owner's), as (owner, id).</summary>
    private async Task<List<(string Owner, string Id)>> IndexedIdsAsync(string prefix, CancellationToken cancellationToken)
    {
        BlobContainerClient batches = await container.GetAsync().ConfigureAwait(false);
        var entries = new List<(string, string)>();
        await foreach (BlobItem item in batches.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            string[] parts = item.Name[IndexRoot.Length..].Split('/');
            if (parts is [{ } entryOwner, { } id] && JobIds.IsWellFormed(id))
            {
                entries.Add((entryOwner, id));
            }
        }

        return entries;
    }

    /// <summary>
    /// Once per instance, before its first owner's list: every record without an index entry (from before owners, none
    /// of which name an owner) gets one under <c>default</c>. Idempotent, so instances that start together may both run it.
    /// </summary>
    private Task MigrateLegacyAsync(CancellationToken cancellationToken) =>
        LazyInitializer.EnsureInitialized(ref _legacy, () => new OnceAsync(MigrateLegacyCoreAsync)).EnsureAsync(cancellationToken);

    private async Task MigrateLegacyCoreAsync(CancellationToken cancellationToken)
    {
        // The records are listed before the entries: a record listed has had its entry since before it was written.
        List<string> records = await RecordIdsAsync(cancellationToken).ConfigureAwait(false);
        HashSet<string> indexed = [.. (await IndexedIdsAsync(IndexRoot, cancellationToken).ConfigureAwait(false)).Select(entry => entry.Id)];
        foreach (string id in records)
        {
            if (!indexed.Contains(id))
            {
                await WriteEntryAsync(OwnerNames.Default, id, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task WriteEntryAsync(string owner, string id, CancellationToken cancellationToken) =>
        await (await container.GetAsync().ConfigureAwait(false)).GetBlobClient(IndexRoot + owner + "/" + id)
            .UploadAsync(BinaryData.Empty, overwrite: true, cancellationToken).ConfigureAwait(false);

    private async Task<BlobClient> BlobAsync(string id) => (await container.GetAsync().ConfigureAwait(false)).GetBlobClient($"batches/{id}.json");

    private static byte[] Serialize(BatchRecord batch) => JsonSerializer.SerializeToUtf8Bytes(batch, JobsJson.BatchRecord);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "The blob {Name} is not a readable batch record; the list skips it")]
    private partial void LogUnreadable(string name);
}
