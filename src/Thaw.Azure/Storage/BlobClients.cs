using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;

namespace Thaw.Azure.Storage;

/// <summary>The one <see cref="BlobServiceClient"/> of the process (thread-safe), or null when storage is not configured.</summary>
internal sealed class BlobClients(IOptions<StorageOptions> options)
{
    private readonly Lazy<BlobServiceClient?> _service = new(() =>
        string.IsNullOrWhiteSpace(options.Value.ConnectionString) ? null : new BlobServiceClient(options.Value.ConnectionString));

    public BlobServiceClient? Service => _service.Value;

    public StorageOptions Options => options.Value;
}
