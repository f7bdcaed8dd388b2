using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Jobs;

/// <summary>A received Storage queue message: its pop receipt changes with every renewal, so it is kept here.</summary>
internal sealed class StorageJobDelivery(QueueClient jobs, QueueClient poison, QueueMessage message) : IJobDelivery
{
    private readonly Lock _gate = new();
    private string _popReceipt = message.PopReceipt;

    public ReadOnlyMemory<byte> Body => message.Body.ToMemory();

    public int DequeueCount => (int)message.DequeueCount;

    public async Task RenewAsync(TimeSpan visibility, CancellationToken cancellationToken = default)
    {
        UpdateReceipt receipt = await jobs.UpdateMessageAsync(message.MessageId, PopReceipt, visibilityTimeout: visibility, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        lock (_gate)
        {
            _popReceipt = receipt.PopReceipt;
        }
    }

    public Task CompleteAsync(CancellationToken cancellationToken = default) =>
        jobs.DeleteMessageAsync(message.MessageId, PopReceipt, cancellationToken);

    public Task AbandonAsync(TimeSpan delay, CancellationToken cancellationToken = default) =>
        jobs.UpdateMessageAsync(message.MessageId, PopReceipt, visibilityTimeout: delay, cancellationToken: cancellationToken);

    /// <summary>
    /// Moves the message, unchanged, to the poison queue (as the Functions host does, so the same tools read it);
    /// a Storage queue message has no properties, so the reason goes to the batch's errors and the log.
    /// </summary>
    public async Task DeadLetterAsync(string reason, CancellationToken cancellationToken = default)
    {
        await poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
        await jobs.DeleteMessageAsync(message.MessageId, PopReceipt, cancellationToken).ConfigureAwait(false);
    }

    private string PopReceipt
    {
        get
        {
            lock (_gate)
            {
                return _popReceipt;
            }
        }
    }
}
