using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Thaw.Azure.Storage;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Jobs;

/// <summary>
/// Files in Blob Storage: <c>files/{id}</c>, with the OpenAI file fields and the owner as blob metadata. An upload
/// streams into staged blocks and commits only once whole and within its limit, so a file is visible whole or not at all.
/// Blob Storage lists names in ascending order only, so each file also has two empty index blobs,
/// <c>files-index/owner/{owner}/asc/</c> and <c>.../desc/</c> + <see cref="FileIndex.Name"/>, carrying the record as
/// metadata: a page of <c>GET /v1/files</c> is one listing of the caller's owner from the cursor's index name on
/// (<c>startFrom</c>), in either order, without reading any file or another owner's entries. The index is written after
/// the file and removed before it, so a listed file exists; a file stored before the index existed is served by id but
/// not listed. Entries from before owners (<c>files-index/asc/</c>, <c>files-index/desc/</c>) move under the owner
/// <c>default</c> the first time this instance lists or changes the index. A file that expires also has
/// <c>files-index/expiry/{expires_at:D12}.{id}</c>, for every owner, which the retention sweep lists from the start.
/// </summary>
internal sealed class BlobFileStore(JobContainer container, TimeProvider time) : IFileStore
{
    private const string FilenameKey = "filename";
    private const string PurposeKey = "purpose";
    private const string CreatedKey = "created_at";
    private const string BytesKey = "bytes";
    private const string IdKey = "id";
    private const string ExpiresKey = "expires_at";
    private const string OwnerKey = "owner";

    /// <summary>Blob Storage's limit on one blob's metadata, names and values together.</summary>
    internal const int MaxMetadataBytes = 8 * 1024;

    private OnceAsync? _legacy;

    public Task<FileRecord> PutAsync(FileUpload upload, Stream content, CancellationToken cancellationToken = default) =>
        WriteAsync(upload.Id ?? JobIds.NewFileId(time), upload.Filename, upload.Purpose, upload.ExpiresAfter, upload.Owner, async (blob, metadata) =>
        {
            var limited = new SizeLimitedStream(content, upload.MaxBytes);
            await blob.UploadAsync(limited, new BlobUploadOptions { Metadata = metadata }, cancellationToken).ConfigureAwait(false);
            return limited.Position;
        }, cancellationToken);

    /// <summary>
    /// Writes the file through <paramref name="write"/> (which returns its length) with the record's metadata, then
    /// replaces its index entries: a rewritten file (a batch's output, redone) is listed once, at its new time.
    /// </summary>
    internal async Task<FileRecord> WriteAsync(
        string id, string filename, string purpose, TimeSpan? expiresAfter, string owner, Func<BlockBlobClient, Dictionary<string, string>, Task<long>> write,
        CancellationToken cancellationToken)
    {
        if (!OwnerNames.IsValid(owner))
        {
            throw new ArgumentException($"Bug: '{owner}' is not an owner name; options validation admits only [a-z0-9-]{{1,{OwnerNames.MaxLength}}}.", nameof(owner));
        }

        await MigrateLegacyIndexAsync(cancellationToken).ConfigureAwait(false);
        FileRecord? previous = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        DateTimeOffset now = time.GetUtcNow();
        long created = now.ToUnixTimeSeconds();
        long? expires = expiresAfter is { } after ? (now + after).ToUnixTimeSeconds() : null;
        var record = new FileRecord { Id = id, Bytes = 0, CreatedAt = created, Filename = filename, Purpose = purpose, ExpiresAt = expires, Owner = owner };
        record = record with { Bytes = await write(await BlockBlobAsync(id).ConfigureAwait(false), Metadata(record)).ConfigureAwait(false) };
        if (previous is not null)
        {
            await UnindexAsync(previous, cancellationToken).ConfigureAwait(false);
        }

        await IndexAsync(record, cancellationToken).ConfigureAwait(false);
        return record;
    }

    public async Task<FileRecord?> SetExpiryAsync(string id, TimeSpan expiresAfter, CancellationToken cancellationToken = default)
    {
        if (await GetAsync(id, cancellationToken).ConfigureAwait(false) is not { } record)
        {
            return null;
        }

        await MigrateLegacyIndexAsync(cancellationToken).ConfigureAwait(false);
        FileRecord expiring = record with { ExpiresAt = record.CreatedAt + (long)expiresAfter.TotalSeconds };
        await (await BlobAsync(id).ConfigureAwait(false)).SetMetadataAsync(Metadata(expiring), cancellationToken: cancellationToken).ConfigureAwait(false);
        await UnindexAsync(record, cancellationToken).ConfigureAwait(false);
        await IndexAsync(expiring, cancellationToken).ConfigureAwait(false);
        return expiring;
    }

    private async Task IndexAsync(FileRecord record, CancellationToken cancellationToken)
    {
        BlobContainerClient files = await container.GetAsync().ConfigureAwait(false);
        Dictionary<string, string> entry = Metadata(record);
        entry[BytesKey] = record.Bytes.ToString(CultureInfo.InvariantCulture);
        entry[IdKey] = record.Id;
        foreach (bool ascending in (bool[])[true, false])
        {
            await files.GetBlobClient(IndexName(record, ascending)).UploadAsync(BinaryData.Empty.ToStream(),
                new BlobUploadOptions { Metadata = entry }, cancellationToken).ConfigureAwait(false);
        }

        if (ExpiryName(record) is { } expiry)
        {
            await files.GetBlobClient(expiry).UploadAsync(BinaryData.Empty.ToStream(), overwrite: true, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<FileRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!JobIds.IsWellFormed(id))
        {
            return null;
        }

        try
        {
            BlobProperties properties = await (await BlobAsync(id).ConfigureAwait(false)).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return Record(id, properties.ContentLength, properties.Metadata);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<Stream?> OpenReadAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!JobIds.IsWellFormed(id))
        {
            return null;
        }

        try
        {
            return await (await BlobAsync(id).ConfigureAwait(false)).OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<FilePage> ListAsync(FileQuery query, CancellationToken cancellationToken = default)
    {
        if (!OwnerNames.IsValid(query.Owner))
        {
            return new FilePage([], false);
        }

        await MigrateLegacyIndexAsync(cancellationToken).ConfigureAwait(false);
        string prefix = IndexPrefix(query.Owner, query.Ascending);
        string? cursor = null;
        if (query.After is { } after)
        {
            if (await GetAsync(after, cancellationToken).ConfigureAwait(false) is not { } from || from.Owner != query.Owner)
            {
                return new FilePage([], false);
            }

            cursor = IndexName(from, query.Ascending);
        }

        BlobContainerClient files = await container.GetAsync().ConfigureAwait(false);
        // startFrom is inclusive: the cursor's own entry is skipped. One more than the page tells whether more follow.
        var options = new GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = prefix, StartFrom = cursor };
        var page = new List<FileRecord>();
        await foreach (Page<BlobItem> listing in files.GetBlobsAsync(options, cancellationToken).AsPages(pageSizeHint: Math.Min(query.Limit + 2, 5000)).ConfigureAwait(false))
        {
            foreach (BlobItem item in listing.Values)
            {
                if (item.Name == cursor || !item.Metadata.TryGetValue(IdKey, out string? id) || !item.Metadata.TryGetValue(BytesKey, out string? text)
                    || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long bytes) || Record(id, bytes, item.Metadata) is not { } record
                    || (query.Purpose is { } purpose && record.Purpose != purpose))
                {
                    continue;
                }

                if (page.Count == query.Limit)
                {
                    return new FilePage(page, true);
                }

                page.Add(record);
            }
        }

        return new FilePage(page, false);
    }

    public async Task<IReadOnlyList<string>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        BlobContainerClient files = await container.GetAsync().ConfigureAwait(false);
        long seconds = now.ToUnixTimeSeconds();
        var expired = new List<string>();
        await foreach (BlobItem item in files.GetBlobsAsync(BlobTraits.None, BlobStates.None, ExpiryPrefix, cancellationToken).ConfigureAwait(false))
        {
            string name = item.Name[ExpiryPrefix.Length..];
            if (!FileIndex.IsAtOrBefore(name, seconds) || expired.Count == limit)
            {
                break;
            }

            if (FileIndex.IdOf(name) is { } id)
            {
                expired.Add(id);
            }
        }

        return expired;
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        if (await GetAsync(id, cancellationToken).ConfigureAwait(false) is not { } record)
        {
            return false;
        }

        // The index entries go first: a list never shows a file that is gone.
        await MigrateLegacyIndexAsync(cancellationToken).ConfigureAwait(false);
        await UnindexAsync(record, cancellationToken).ConfigureAwait(false);
        return await (await BlobAsync(id).ConfigureAwait(false)).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The blob of a file id, for the batch output that builds its files from staged blocks.</summary>
    internal async Task<BlobClient> BlobAsync(string id) => (await container.GetAsync().ConfigureAwait(false)).GetBlobClient("files/" + id);

    internal async Task<BlockBlobClient> BlockBlobAsync(string id) => (await container.GetAsync().ConfigureAwait(false)).GetBlockBlobClient("files/" + id);

    // Metadata values must be ASCII: the file name is escaped (up to 3 characters per UTF-8 byte). Blob Storage refuses
    // more than 8 KiB of metadata per blob (names and values), but Azurite accepts it, so the bound is checked here: the
    // upload route bounds file names well below it, and a longer one reaching this is a bug, not a 500 from Azure alone.
    private static Dictionary<string, string> Metadata(FileRecord record)
    {
        string filename = record.Filename;
        var metadata = new Dictionary<string, string>
        {
            [FilenameKey] = Uri.EscapeDataString(filename),
            [PurposeKey] = record.Purpose,
            [CreatedKey] = record.CreatedAt.ToString(CultureInfo.InvariantCulture),
            [ExpiresKey] = (record.ExpiresAt ?? long.MaxValue).ToString(CultureInfo.InvariantCulture),
            // Checked at its longest; the owner's actual name is set below.
            [OwnerKey] = new string('x', OwnerNames.MaxLength),
            // The index blobs add these two: the bound is checked with them.
            [BytesKey] = long.MaxValue.ToString(CultureInfo.InvariantCulture),
            [IdKey] = new string('x', 128),
        };
        int size = metadata.Sum(pair => pair.Key.Length + pair.Value.Length);
        if (size > MaxMetadataBytes)
        {
            throw new ArgumentException(
                $"Bug: the file name '{filename[..Math.Min(40, filename.Length)]}…' needs {size} bytes of blob metadata, over Blob Storage's {MaxMetadataBytes}; uploads bound names first.",
                nameof(filename));
        }

        metadata.Remove(BytesKey);
        metadata.Remove(IdKey);
        metadata[OwnerKey] = record.Owner;
        if (record.ExpiresAt is null)
        {
            metadata.Remove(ExpiresKey);
        }

        return metadata;
    }

    private const string ExpiryPrefix = "files-index/expiry/";

    private static string? ExpiryName(FileRecord file) => FileIndex.ExpiryName(file) is { } name ? ExpiryPrefix + name : null;

    // Under "owner/": an owner's name can never meet the other folders of files-index/ (asc, desc, expiry).
    private static string IndexPrefix(string owner, bool ascending) => $"files-index/owner/{owner}/{(ascending ? "asc" : "desc")}/";

    private static string IndexName(FileRecord file, bool ascending) => IndexPrefix(file.Owner, ascending) + FileIndex.Name(file, ascending);

    private static string LegacyIndexPrefix(bool ascending) => ascending ? "files-index/asc/" : "files-index/desc/";

    /// <summary>
    /// Once per instance, before it lists or changes the index: entries from before owners (which name none) move under
    /// <c>default</c>, metadata and all, and the old ones go. Idempotent, so instances that start together may both run it.
    /// </summary>
    private Task MigrateLegacyIndexAsync(CancellationToken cancellationToken) =>
        LazyInitializer.EnsureInitialized(ref _legacy, () => new OnceAsync(MigrateLegacyIndexCoreAsync)).EnsureAsync(cancellationToken);

    private async Task MigrateLegacyIndexCoreAsync(CancellationToken cancellationToken)
    {
        BlobContainerClient files = await container.GetAsync().ConfigureAwait(false);
        foreach (bool ascending in (bool[])[true, false])
        {
            string legacy = LegacyIndexPrefix(ascending);
            await foreach (BlobItem item in files.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, legacy, cancellationToken).ConfigureAwait(false))
            {
                string moved = IndexPrefix(OwnerNames.Default, ascending) + item.Name[legacy.Length..];
                await files.GetBlobClient(moved).UploadAsync(BinaryData.Empty.ToStream(),
                    new BlobUploadOptions { Metadata = item.Metadata }, cancellationToken).ConfigureAwait(false);
                await files.GetBlobClient(item.Name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task UnindexAsync(FileRecord record, CancellationToken cancellationToken)
    {
        BlobContainerClient files = await container.GetAsync().ConfigureAwait(false);
        foreach (bool ascending in (bool[])[true, false])
        {
            await files.GetBlobClient(IndexName(record, ascending)).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        if (ExpiryName(record) is { } expiry)
        {
            await files.GetBlobClient(expiry).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private static FileRecord? Record(string id, long bytes, IDictionary<string, string> metadata) =>
        metadata.TryGetValue(FilenameKey, out string? filename) && metadata.TryGetValue(PurposeKey, out string? purpose)
            && metadata.TryGetValue(CreatedKey, out string? created) && long.TryParse(created, CultureInfo.InvariantCulture, out long createdAt)
            ? new FileRecord
            {
                Id = id,
                Bytes = bytes,
                CreatedAt = createdAt,
                Filename = Uri.UnescapeDataString(filename),
                Purpose = purpose,
                ExpiresAt = metadata.TryGetValue(ExpiresKey, out string? expires) && long.TryParse(expires, CultureInfo.InvariantCulture, out long expiresAt) ? expiresAt : null,
                Owner = metadata.TryGetValue(OwnerKey, out string? owner) && OwnerNames.IsValid(owner) ? owner : OwnerNames.Default,
            }
            : null;
}
