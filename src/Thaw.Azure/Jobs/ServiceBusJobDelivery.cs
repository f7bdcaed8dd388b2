using Azure.Messaging.ServiceBus;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Jobs;

/// <summary>A message received with peek-lock: settled through the receiver that holds its lock.</summary>
internal sealed class ServiceBusJobDelivery(ServiceBusReceiver receiver, ServiceBusReceivedMessage message) : IJobDelivery
{
    /// <summary>Service Bus keeps these short; longer reasons are cut (the batch record keeps the whole text).</summary>
    private const int MaxReasonLength = 1024;

    public ReadOnlyMemory<byte> Body => message.Body.ToMemory();

    public int DequeueCount => message.DeliveryCount;

    /// <summary>
    /// Renews the lock for the queue's lock duration: Service Bus has no per-call length, so <paramref name="visibility"/>
    /// is not used (see <see cref="ServiceBusJobQueue"/> for how the two must relate).
    /// </summary>
    public Task RenewAsync(TimeSpan visibility, CancellationToken cancellationToken = default) =>
        receiver.RenewMessageLockAsync(message, cancellationToken);

    public Task CompleteAsync(CancellationToken cancellationToken = default) =>
        receiver.CompleteMessageAsync(message, cancellationToken);

    /// <summary>
    /// Hands the message back at once: Service Bus has no delayed abandon, so <paramref name="delay"/> is not honoured
    /// (retries are still bounded by <c>Thaw:Jobs:MaxDequeueCount</c> and the queue's MaxDeliveryCount).
    /// </summary>
    public Task AbandonAsync(TimeSpan delay, CancellationToken cancellationToken = default) =>
        receiver.AbandonMessageAsync(message, cancellationToken: cancellationToken);

    public Task DeadLetterAsync(string reason, CancellationToken cancellationToken = default) =>
        receiver.DeadLetterMessageAsync(message, "ThawJobGivenUp", reason.Length <= MaxReasonLength ? reason : reason[..MaxReasonLength], cancellationToken);
}
