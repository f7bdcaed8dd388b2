using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Options;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Jobs;

/// <summary>
/// Job messages on an Azure Storage queue (<c>Thaw:Jobs:Queue</c>, default <c>thaw-jobs</c>): a received message is
/// invisible for the visibility timeout (renewed by the job as it works) and returns when a worker dies; the
/// service counts deliveries; a message given up on moves to <c>{queue}-poison</c>, as the Functions trigger does.
/// Empty polls back off from 100 ms to <see cref="JobsOptions.MaxPollInterval"/> on the injected clock.
/// </summary>
internal sealed class StorageJobQueue(QueueClients clients, IOptions<JobsOptions> options, TimeProvider time) : IJobQueue
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(100);

    public bool IsDurable => true;

    public async Task EnqueueAsync(JobMessage message, CancellationToken cancellationToken = default)
    {
        (QueueClient jobs, _) = await clients.GetAsync().ConfigureAwait(false);
        await jobs.SendMessageAsync(BinaryData.FromBytes(message.ToBytes()), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public async Task<IJobDelivery> ReceiveAsync(TimeSpan visibility, CancellationToken cancellationToken = default)
    {
        (QueueClient jobs, QueueClient poison) = await clients.GetAsync().ConfigureAwait(false);
        var polls = new Backoff(FirstPoll, options.Value.MaxPollInterval < FirstPoll ? FirstPoll : options.Value.MaxPollInterval);
        while (true)
        {
            QueueMessage? message = (await jobs.ReceiveMessageAsync(visibility, cancellationToken).ConfigureAwait(false)).Value;
            if (message is not null)
            {
                return new StorageJobDelivery(jobs, poison, message);
            }

            await Task.Delay(polls.Next(), time, cancellationToken).ConfigureAwait(false);
        }
    }
}
