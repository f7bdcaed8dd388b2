using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Thaw.Azure.Storage;
using Thaw.Inference.Sources;
using Thaw.Inference.Storage;

namespace Thaw.Azure.Snapshots;

/// <summary>
/// The snapshot store in Blob Storage: files at <c>{SnapshotContainer}/files/{sha256}</c> and snapshot manifests
/// (documents) by name beside them. Content-addressed files and manifests are written once (create-if-absent), so
/// racing instances cannot overwrite each other; readers verify the hashes. Leases are blob leases on
/// <c>{name}.lease</c>, renewed while held, so a holder that dies releases its lease within a minute.
/// </summary>
internal sealed class BlobSnapshotStore(BlobClients clients, TimeProvider timeProvider) : ISnapshotStore
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);
    private int _containerReady;

    public string Describe(string sha256) => $"blob {clients.Options.SnapshotContainer}/{BlobName(sha256)}";

    public string DescribeDocument(string name) => $"blob {clients.Options.SnapshotContainer}/{name}";

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
            await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
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

    public async Task<string?> TryGetDocumentAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            BlobDownloadResult result = (await Container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
            return result.Content.ToString();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (Exception e) when (IsUnavailable(e, cancellationToken))
        {
            throw UnavailableDocument("read", name, e);
        }
    }

    public async Task<bool> TryCreateDocumentAsync(string name, string content, CancellationToken cancellationToken = default)
    {
        try
        {
            await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
            var options = new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            };
            await Container.GetBlobClient(name).UploadAsync(BinaryData.FromString(content), options, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return false;
        }
        catch (Exception e) when (IsUnavailable(e, cancellationToken))
        {
            throw UnavailableDocument("write", name, e);
        }
    }

    public async Task DeleteDocumentAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            await Container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnavailable(e, cancellationToken))
        {
            throw UnavailableDocument("delete", name, e);
        }
    }

    public async IAsyncEnumerable<string> ListDocumentsAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var names = new List<string>();
        try
        {
            await foreach (BlobItem item in Container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).ConfigureAwait(false))
            {
                if (item.Name.EndsWith(".json", StringComparison.Ordinal))
                {
                    names.Add(item.Name);
                }
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No container yet: nothing published.
        }
        catch (Exception e) when (IsUnavailable(e, cancellationToken))
        {
            throw UnavailableDocument("list", prefix, e);
        }

        foreach (string name in names)
        {
            yield return name;
        }
    }

    public async Task<IAsyncDisposable?> TryAcquireLeaseAsync(string name, CancellationToken cancellationToken = default)
    {
        BlobClient blob = Container.GetBlobClient(name + ".lease");
        try
        {
            await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // It exists (and may be leased): the lease below decides.
            }

            BlobLeaseClient lease = blob.GetBlobLeaseClient();
            await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new HeldLease(lease, LeaseDuration / 3, timeProvider);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return null;
        }
        catch (Exception e) when (IsUnavailable(e, cancellationToken))
        {
            throw UnavailableDocument("lease", name + ".lease", e);
        }
    }

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _containerReady) == 0)
        {
            await Container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _containerReady, 1);
        }
    }

    private BlobContainerClient Container =>
        (clients.Service ?? throw new InvalidOperationException("Bug: the blob snapshot store is registered without Thaw:Storage:ConnectionString or ServiceUri."))
            .GetBlobContainerClient(clients.Options.SnapshotContainer);

    private BlobClient Blob(string sha256) => Container.GetBlobClient(BlobName(sha256));

    /// <remarks>Callers pass hashes from manifests, which come from storage: anything else could name another blob (<c>files/../…</c>) to read or delete.</remarks>
    private static string BlobName(string sha256) => VerifiedFile.IsSha256(sha256)
        ? $"files/{sha256}"
        : throw new ArgumentException("Bug: a snapshot file is addressed by something other than a SHA-256; manifests are checked before their files are touched.", nameof(sha256));

    private static bool IsUnavailable(Exception e, CancellationToken cancellationToken) =>
        e is RequestFailedException or AggregateException or HttpRequestException or IOException
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private SnapshotStoreUnavailableException Unavailable(string operation, string sha256, Exception e) => Failure(operation, Describe(sha256), e);

    private SnapshotStoreUnavailableException UnavailableDocument(string operation, string name, Exception e) => Failure(operation, DescribeDocument(name), e);

    private static SnapshotStoreUnavailableException Failure(string operation, string what, Exception e) =>
        new($"cannot {operation} {what}: {(e is RequestFailedException r ? $"Blob Storage answered {r.Status} ({r.ErrorCode})" : e.GetBaseException().Message)}", e);
}
