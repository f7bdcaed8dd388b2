using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Thaw.Azure.Storage;
using Thaw.Inference.Sources;

namespace Thaw.Azure.Snapshots;

/// <summary>
/// The snapshot store in Blob Storage: <c>{SnapshotContainer}/files/{sha256}</c>. Content-addressed, so a blob is
/// written once (create-if-absent) and racing instances cannot overwrite each other; readers verify the hash.
/// </summary>
internal sealed class BlobSnapshotStore(BlobClients clients) : ISnapshotStore
{
    private int _containerReady;

    public string Describe(string sha256) => $"blob {clients.Options.SnapshotContainer}/{BlobName(sha256)}";

    public async Task<bool> TryFetchAsync(string sha256, string destinationPath, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        try
        {
            await Blob(sha256).DownloadToAsync(destinationPath, new BlobDownloadToOptions { TransferOptions = clients.TransferOptions, ProgressHandler = progress }, cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
        catch (Exception e) when (IsUnavailable(e, cancellationToken))
        {
            throw Unavailable("read", sha256, e);
        }
    }

    public async Task PutAsync(string sha256, string path, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        try
        {
            if (Volatile.Read(ref _containerReady) == 0)
            {
                await Container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _containerReady, 1);
            }

            var options = new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                TransferOptions = clients.TransferOptions,
                ProgressHandler = progress,
            };
            await Blob(sha256).UploadAsync(path, options, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Another instance published the same content first.
        }
        catch (Exception e) when (IsUnavailable(e, cancellationToken))
        {
            throw Unavailable("write", sha256, e);
        }
    }

    public async Task<long?> GetSizeAsync(string sha256, CancellationToken cancellationToken = default)
    {
        try
        {
            return (await Blob(sha256).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value.ContentLength;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (Exception e) when (IsUnavailable(e, cancellationToken))
        {
            throw Unavailable("read", sha256, e);
        }
    }

    public async Task DeleteAsync(string sha256, CancellationToken cancellationToken = default)
    {
        try
        {
            await Blob(sha256).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnavailable(e, cancellationToken))
        {
            throw Unavailable("delete", sha256, e);
        }
    }

    private BlobContainerClient Container =>
        (clients.Service ?? throw new InvalidOperationException("Bug: the blob snapshot store is registered without Thaw:Storage:ConnectionString or ServiceUri."))
            .GetBlobContainerClient(clients.Options.SnapshotContainer);

    private BlobClient Blob(string sha256) => Container.GetBlobClient(BlobName(sha256));

    private static string BlobName(string sha256) => $"files/{sha256}";

    private static bool IsUnavailable(Exception e, CancellationToken cancellationToken) =>
        e is RequestFailedException or AggregateException or HttpRequestException or IOException
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private SnapshotStoreUnavailableException Unavailable(string operation, string sha256, Exception e) =>
        new($"cannot {operation} {Describe(sha256)}: {(e is RequestFailedException r ? $"Blob Storage answered {r.Status} ({r.ErrorCode})" : e.GetBaseException().Message)}", e);
}
