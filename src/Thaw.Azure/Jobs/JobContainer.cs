using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;
using Thaw.Azure.Storage;

namespace Thaw.Azure.Jobs;

/// <summary>The files container, created on first use (and again on the next use after a failed attempt).</summary>
internal sealed class JobContainer(BlobClients clients, IOptions<FilesOptions> options)
{
    private readonly RetryingOnce<BlobContainerClient> _container = new(async () =>
    {
        BlobServiceClient service = clients.Service
            ?? throw new InvalidOperationException("The Blob job stores are registered only with Thaw:Storage configured; this is a bug.");
        BlobContainerClient container = service.GetBlobContainerClient(options.Value.Container);
        await container.CreateIfNotExistsAsync().ConfigureAwait(false);
        return container;
    });

    public Task<BlobContainerClient> GetAsync() => _container.GetAsync();
}
