using Azure.Storage.Queues.Models;

namespace Thaw.Azure.Jobs;

/// <summary>
/// Request-queue messages delivered by a Functions queue trigger, run by the same processor as the standalone
/// listener. The Functions host deletes the message when this returns and retries it when this throws, moving it to
/// <c>{queue}-poison</c> after host.json's <c>maxDequeueCount</c>.
/// </summary>
public sealed class QueueTriggeredRequests
{
    private readonly QueuedRequestProcessor _processor;

    internal QueueTriggeredRequests(QueuedRequestProcessor processor) => _processor = processor;

    /// <summary>Answers the request in <paramref name="message"/> at its reply destination.</summary>
    public Task ProcessAsync(QueueMessage message, CancellationToken cancellationToken = default) =>
        _processor.ProcessAsync(message.Body.ToMemory(), cancellationToken);
}
