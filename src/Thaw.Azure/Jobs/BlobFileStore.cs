using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Jobs;

/// <summary>
/// Files in Blob Storage: <c>files/{id}</c>, with the OpenAI file fields as blob metadata. An upload streams into
/// staged blocks and commits only once whole and within its limit, so a file is visible whole or not at all.
/// </summary>
internal sealed class BlobFileStore(JobContainer container, TimeProvider time) : IFileStore
{
    private const string FilenameKey = "filename";
    private const string PurposeKey = "purpose";
    private const string CreatedKey = "created_at";

    public async Task<FileRecord> PutAsync(FileUpload upload, Stream content, CancellationToken cancellationToken = default)
    {
        string id = upload.Id ?? JobIds.NewFileId(time);
        long created = time.GetUtcNow().ToUnixTimeSeconds();
        BlobClient blob = await BlobAsync(id).ConfigureAwait(false);
        var limited = new SizeLimitedStream(content, upload.MaxBytes);
        await blob.UploadAsync(limited, new BlobUploadOptions { Metadata = Metadata(upload.Filename, upload.Purpose, created) }, cancellationToken)
            .ConfigureAwait(false);
        return new FileRecord { Id = id, Bytes = limited.Position, CreatedAt = created, Filename = upload.Filename, Purpose = upload.Purpose };
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

    public async Task<IReadOnlyList<FileRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        BlobContainerClient files = await container.GetAsync().ConfigureAwait(false);
        var records = new List<FileRecord>();
        await foreach (BlobItem item in files.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, "files/", cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (Record(item.Name["files/".Length..], item.Properties.ContentLength ?? 0, item.Metadata) is { } record)
            {
                records.Add(record);
            }
        }

        return records.OrderByDescending(f => f.CreatedAt).ThenByDescending(f => f.Id, StringComparer.Ordinal).ToList();
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        JobIds.IsWellFormed(id) && await (await BlobAsync(id).ConfigureAwait(false)).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <summary>The blob of a file id, for the batch output that builds its files from staged blocks.</summary>
    internal async Task<BlobClient> BlobAsync(string id) => (await container.GetAsync().ConfigureAwait(false)).GetBlobClient("files/" + id);

    internal async Task<BlockBlobClient> BlockBlobAsync(string id) => (await container.GetAsync().ConfigureAwait(false)).GetBlockBlobClient("files/" + id);

    // Metadata values must be ASCII: the file name is escaped.
    internal static Dictionary<string, string> Metadata(string filename, string purpose, long createdAt) => new()
    {
        [FilenameKey] = Uri.EscapeDataString(filename),
        [PurposeKey] = purpose,
        [CreatedKey] = createdAt.ToString(CultureInfo.InvariantCulture),
    };

    private static FileRecord? Record(string id, long bytes, IDictionary<string, string> metadata) =>
        metadata.TryGetValue(FilenameKey, out string? filename) && metadata.TryGetValue(PurposeKey, out string? purpose)
            && metadata.TryGetValue(CreatedKey, out string? created) && long.TryParse(created, CultureInfo.InvariantCulture, out long createdAt)
            ? new FileRecord { Id = id, Bytes = bytes, CreatedAt = createdAt, Filename = Uri.UnescapeDataString(filename), Purpose = purpose }
            : null;
}
