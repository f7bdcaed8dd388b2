using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Thaw.Azure.Jobs;

/// <summary>
/// One Service Bus connection for the process, with a sender and a peek-lock receiver on the job queue, created on
/// first use (thread-safe; the SDK's clients are meant to be shared) and closed with the host.
/// </summary>
internal sealed partial class ServiceBusClients : IAsyncDisposable
{
    private readonly Lazy<(ServiceBusClient Client, ServiceBusSender Sender, ServiceBusReceiver Receiver)> _clients;
    private readonly ILogger<ServiceBusClients> _logger;

    public ServiceBusClients(IOptions<ServiceBusOptions> options, bool storesAreLocal, ILogger<ServiceBusClients> logger)
    {
        _logger = logger;
        _clients = new(() =>
        {
            ServiceBusOptions o = options.Value;
            if (storesAreLocal)
            {
                // Messages are shared, but a batch's files and records would be on this instance's disk only.
                LogLocalStores(o.Queue);
            }

            ServiceBusClient client = Create(o);
            ServiceBusSender sender = client.CreateSender(o.Queue);
            // Peek-lock, no prefetch: a prefetched message's lock would run while it waits for a free job slot.
            ServiceBusReceiver receiver = client.CreateReceiver(o.Queue, new ServiceBusReceiverOptions { ReceiveMode = ServiceBusReceiveMode.PeekLock, PrefetchCount = 0 });
            return (client, sender, receiver);
        });
    }

    public ServiceBusSender Sender => _clients.Value.Sender;

    public ServiceBusReceiver Receiver => _clients.Value.Receiver;

    public async ValueTask DisposeAsync()
    {
        if (_clients.IsValueCreated)
        {
            await _clients.Value.Client.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static ServiceBusClient Create(ServiceBusOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new ServiceBusClient(options.ConnectionString);
        }

        string fullyQualifiedNamespace = options.FullyQualifiedNamespace
            ?? throw new InvalidOperationException("The Service Bus job queue is registered only with Thaw:ServiceBus configured; this is a bug.");
        return new ServiceBusClient(fullyQualifiedNamespace, new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = options.ManagedIdentityClientId }));
    }

    [LoggerMessage(EventId = 930, Level = LogLevel.Warning, Message = "Job messages are on the Service Bus queue {Queue}, but Thaw:Storage is not configured: batch files and records stay on this instance's disk, which only works with one instance")]
    private partial void LogLocalStores(string queue);
}
