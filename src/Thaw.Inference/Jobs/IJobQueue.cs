namespace Thaw.Inference.Jobs;

/// <summary>The transport of job messages: an in-process queue by default, a Storage queue or Service Bus when configured.</summary>
public interface IJobQueue
{
    /// <summary>
    /// Whether queued messages outlive this process. When they do not (the in-process queue), the listener queues
    /// every unfinished batch again at start, so a restarted host resumes them from their written chunks.
    /// </summary>
    bool IsDurable { get; }

    /// <summary>Queues a message.</summary>
    /// <exception cref="JobQueueFullException">The queue is at its bound.</exception>
    Task EnqueueAsync(JobMessage message, CancellationToken cancellationToken = default);

    /// <summary>Waits for the next message and leases it for <paramref name="visibility"/>.</summary>
    Task<IJobDelivery> ReceiveAsync(TimeSpan visibility, CancellationToken cancellationToken = default);
}
