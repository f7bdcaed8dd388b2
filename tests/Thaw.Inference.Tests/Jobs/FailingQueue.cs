using Thaw.Inference.Jobs;

namespace Thaw.Inference.Tests.Jobs;

/// <summary>A job queue whose enqueue number <paramref name="failAt"/> (counting from 1) throws once, as a worker that dies mid-split.</summary>
internal sealed class FailingQueue(IJobQueue inner, int failAt) : IJobQueue
{
    private int _enqueues;

    public bool IsDurable => inner.IsDurable;

    public int Enqueues => Volatile.Read(ref _enqueues);

    public Task EnqueueAsync(JobMessage message, CancellationToken cancellationToken = default) =>
        Interlocked.Increment(ref _enqueues) == failAt
            ? throw new IOException($"The queue went away at enqueue {failAt}.")
            : inner.EnqueueAsync(message, cancellationToken);

    public Task<IJobDelivery> ReceiveAsync(TimeSpan visibility, CancellationToken cancellationToken = default) => inner.ReceiveAsync(visibility, cancellationToken);
}
