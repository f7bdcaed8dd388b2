using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Jobs;

/// <summary>A message the Functions host delivered (see <see cref="QueueTriggeredJobs"/>).</summary>
internal sealed class TriggeredJobDelivery(QueueMessage message, QueueClients queues) : IJobDelivery
{
    public ReadOnlyMemory<byte> Body => message.Body.ToMemory();

    public int DequeueCount => (int)message.DequeueCount;

    public Task RenewAsync(TimeSpan visibility, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task CompleteAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task AbandonAsync(TimeSpan delay, CancellationToken cancellationToken = default) =>
        throw new JobRetryException($"The job will be retried: the Functions host makes the message visible again (host.json queues.visibilityTimeout) — attempt {DequeueCount}.");

    public async Task DeadLetterAsync(string reason, CancellationToken cancellationToken = default)
    {
        (_, QueueClient poison) = await queues.GetAsync().ConfigureAwait(false);
        await poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
