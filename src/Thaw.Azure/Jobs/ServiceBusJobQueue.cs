using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Options;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Jobs;

/// <summary>
/// Job messages on a Service Bus queue (<c>Thaw:ServiceBus:Queue</c>, default <c>thaw-jobs</c>), received with
/// peek-lock: the lock keeps other receivers off while the job runs (renewed by the job as it works), the service counts
/// deliveries, and a message given up on goes to the queue's dead-letter sub-queue with its reason.
/// </summary>
/// <remarks>
/// One message per receive: the listener asks for a message only when a job slot is free, and jobs run for minutes, so
/// a batch of received messages would hold locks on jobs that wait for a slot (and lose them). The lock's length is the
/// queue's <c>LockDuration</c> (infra/ sets 5 minutes); the job renews every half of <c>Thaw:Jobs:VisibilityTimeout</c>,
/// which must therefore be at most twice the lock duration.
/// </remarks>
internal sealed class ServiceBusJobQueue(ServiceBusClients clients, IOptions<ServiceBusOptions> options) : IJobQueue
{
    public bool IsDurable => true;

    public Task EnqueueAsync(JobMessage message, CancellationToken cancellationToken = default) =>
        clients.Sender.SendMessageAsync(new ServiceBusMessage(message.ToBytes()) { ContentType = "application/json" }, cancellationToken);

    public async Task<IJobDelivery> ReceiveAsync(TimeSpan visibility, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            // Service Bus waits on its side for a message (a long poll), so an empty queue costs no client-side loop.
            ServiceBusReceivedMessage? message = await clients.Receiver.ReceiveMessageAsync(options.Value.MaxReceiveWait, cancellationToken).ConfigureAwait(false);
            if (message is not null)
            {
                return new ServiceBusJobDelivery(clients.Receiver, message);
            }
        }
    }
}
