using Thaw.Inference.Jobs;

namespace Thaw.Inference.Tests.Jobs;

/// <summary>Passes a delivery through and counts its lease renewals.</summary>
internal sealed class CountingDelivery(IJobDelivery inner) : IJobDelivery
{
    private int _renewals;

    public int Renewals => Volatile.Read(ref _renewals);

    public ReadOnlyMemory<byte> Body => inner.Body;

    public int DequeueCount => inner.DequeueCount;

    public async Task RenewAsync(TimeSpan visibility, CancellationToken cancellationToken = default)
    {
        await inner.RenewAsync(visibility, cancellationToken);
        Interlocked.Increment(ref _renewals);
    }

    public Task CompleteAsync(CancellationToken cancellationToken = default) => inner.CompleteAsync(cancellationToken);

    public Task AbandonAsync(TimeSpan delay, CancellationToken cancellationToken = default) => inner.AbandonAsync(delay, cancellationToken);

    public Task DeadLetterAsync(string reason, CancellationToken cancellationToken = default) => inner.DeadLetterAsync(reason, cancellationToken);
}
