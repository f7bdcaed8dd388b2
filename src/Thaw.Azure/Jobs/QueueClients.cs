using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using Thaw.Azure.Storage;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Jobs;

/// <summary>The job queue and its poison queue (<c>{queue}-poison</c>), created on first use.</summary>
internal sealed class QueueClients(IOptions<StorageOptions> storage, IOptions<JobsOptions> jobs)
{
    private readonly Lazy<Task<(QueueClient Jobs, QueueClient Poison)>> _queues = new(async () =>
    {
        QueueServiceClient service = Create(storage.Value);
        QueueClient queue = service.GetQueueClient(jobs.Value.Queue);
        QueueClient poison = service.GetQueueClient(jobs.Value.Queue + "-poison");
        await queue.CreateIfNotExistsAsync().ConfigureAwait(false);
        await poison.CreateIfNotExistsAsync().ConfigureAwait(false);
        return (queue, poison);
    });

    public Task<(QueueClient Jobs, QueueClient Poison)> GetAsync() => _queues.Value;

    private static QueueServiceClient Create(StorageOptions storage)
    {
        // Base64 messages, as the Functions queue trigger reads and writes them.
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        if (!string.IsNullOrWhiteSpace(storage.ConnectionString))
        {
            return new QueueServiceClient(storage.ConnectionString, options);
        }

        // The same account's queue endpoint: https://<account>.blob.core.windows.net -> https://<account>.queue.core.windows.net.
        Uri blob = storage.ServiceUri ?? throw new InvalidOperationException("The Storage job queue is registered only with Thaw:Storage configured; this is a bug.");
        var queue = new UriBuilder(blob) { Host = blob.Host.Replace(".blob.", ".queue.", StringComparison.OrdinalIgnoreCase) };
        return new QueueServiceClient(queue.Uri, new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = storage.ManagedIdentityClientId }), options);
    }
}
