using Azure.Identity;
using Azure.Storage;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;

namespace Thaw.Azure.Storage;

/// <summary>The one <see cref="BlobServiceClient"/> of the process (thread-safe), or null when storage is not configured.</summary>
internal sealed class BlobClients(IOptions<StorageOptions> options)
{
    private readonly Lazy<BlobServiceClient?> _service = new(() => Create(options.Value));

    public BlobServiceClient? Service => _service.Value;

    public StorageOptions Options => options.Value;

    public StorageTransferOptions TransferOptions => new()
    {
        MaximumConcurrency = options.Value.DownloadConcurrency,
        InitialTransferSize = options.Value.DownloadChunkBytes,
        MaximumTransferSize = options.Value.DownloadChunkBytes,
    };

    private static BlobServiceClient? Create(StorageOptions storage)
    {
        if (!string.IsNullOrWhiteSpace(storage.ConnectionString))
        {
            return new BlobServiceClient(storage.ConnectionString, ClientOptions());
        }

        if (storage.ServiceUri is { } uri)
        {
            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = storage.ManagedIdentityClientId,
            });
            return new BlobServiceClient(uri, credential, ClientOptions());
        }

        return null;
    }

    // Storage accelerates a cold start; it must not stall one. Few, short retries: an unreachable account costs
    // about a second before the instance falls back to the origin.
    private static BlobClientOptions ClientOptions()
    {
        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.MaxRetries = 2;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(200);
        clientOptions.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        return clientOptions;
    }
}
