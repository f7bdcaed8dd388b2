using Azure.Storage;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;

namespace Thaw.Azure.Storage;

/// <summary>The one <see cref="BlobServiceClient"/> of the process (thread-safe), or null when storage is not configured.</summary>
internal sealed class BlobClients(IOptions<StorageOptions> options)
{
    private readonly Lazy<BlobServiceClient?> _service = new(() =>
        string.IsNullOrWhiteSpace(options.Value.ConnectionString) ? null : new BlobServiceClient(options.Value.ConnectionString, ClientOptions()));

    public BlobServiceClient? Service => _service.Value;

    public StorageOptions Options => options.Value;

    public StorageTransferOptions TransferOptions => new()
    {
        MaximumConcurrency = options.Value.DownloadConcurrency,
        InitialTransferSize = options.Value.DownloadChunkBytes,
        MaximumTransferSize = options.Value.DownloadChunkBytes,
    };

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
