using Azure.Storage.Queues.Models;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Jobs;

/// <summary>
/// Job messages delivered by a Functions queue trigger, run by the same processor as the standalone listener. The
/// Functions host owns the message: it keeps it invisible while the function runs, deletes it when the function
/// returns, and makes it visible again when the function throws — so here renew and complete do nothing, abandon
/// throws, and dead-letter moves the message to <c>{queue}-poison</c> itself before the function returns.
/// </summary>
public sealed class QueueTriggeredJobs
{
    private readonly BatchJobProcessor _processor;
    private readonly QueueClients _queues;

    internal QueueTriggeredJobs(BatchJobProcessor processor, QueueClients queues)
    {
        _processor = processor;
        _queues = queues;
    }

    public Task ProcessAsync(QueueMessage message, CancellationToken cancellationToken = default) =>
        _processor.ProcessAsync(new TriggeredJobDelivery(message, _queues), cancellationToken);
}
