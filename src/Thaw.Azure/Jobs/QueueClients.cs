using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using Thaw.Azure.Storage;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Jobs;

/// <summary>
/// The job queue, the request queue (<see cref="JobsOptions.RequestQueue"/>) and their poison queues
/// (<c>{queue}-poison</c>), created on first use (and again on the next use after a failed attempt), and the reply
/// queues of queued requests.
/// </summary>
internal sealed class QueueClients
{
    /// <summary>The poison queue of a queue is named <c>{queue}-poison</c>, as the Functions host names it.</summary>
    public const string PoisonSuffix = "-poison";

    private readonly Lazy<QueueServiceClient> _service;
    private readonly RetryingOnce<(QueueClient Queue, QueueClient Poison)> _jobs;
    private readonly RetryingOnce<(QueueClient Queue, QueueClient Poison)> _requests;

    public QueueClients(IOptions<StorageOptions> storage, IOptions<JobsOptions> jobs)
    {
        _service = new(() => Create(storage.Value));
        _jobs = new(() => CreatePairAsync(jobs.Value.Queue));
        _requests = new(() => CreatePairAsync(jobs.Value.RequestQueue));
    }

    public Task<(QueueClient Jobs, QueueClient Poison)> GetAsync() => _jobs.GetAsync();

    public Task<(QueueClient Queue, QueueClient Poison)> GetRequestsAsync() => _requests.GetAsync();

    /// <summary>A queue of the same account by name (not created here).</summary>
    public QueueClient Get(string name) => _service.Value.GetQueueClient(name);

    private async Task<(QueueClient Queue, QueueClient Poison)> CreatePairAsync(string name)
    {
        QueueClient queue = Get(name);
        QueueClient poison = Get(name + PoisonSuffix);
        await queue.CreateIfNotExistsAsync().ConfigureAwait(false);
        await poison.CreateIfNotExistsAsync().ConfigureAwait(false);
        return (queue, poison);
    }

    private static QueueServiceClient Create(StorageOptions storage)
    {
        // Base64 messages, as the Functions queue trigger reads and writes them. Few, short retries (the SDK's default
        // spends about 25 s on an unreachable account): the listeners retry on their own back-off, and a caller of the
        // API learns of an outage in seconds.
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        options.Retry.MaxRetries = 3;
        options.Retry.Delay = TimeSpan.FromMilliseconds(500);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(4);
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
