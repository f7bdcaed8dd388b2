using Azure;
using Azure.Storage.Blobs.Specialized;

namespace Thaw.Azure.Snapshots;

/// <summary>A blob lease renewed in the background until disposed, then released.</summary>
internal sealed class HeldLease : IAsyncDisposable
{
    private readonly BlobLeaseClient _lease;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewal;

    public HeldLease(BlobLeaseClient lease, TimeSpan renewEvery, TimeProvider timeProvider)
    {
        _lease = lease;
        _renewal = RenewAsync(renewEvery, timeProvider, _stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewal.ConfigureAwait(false);
        _stop.Dispose();
        try
        {
            await _lease.ReleaseAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is RequestFailedException or HttpRequestException)
        {
            // It expires by itself within a lease period.
        }
    }

    private async Task RenewAsync(TimeSpan every, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(every, timeProvider, cancellationToken).ConfigureAwait(false);
                await _lease.RenewAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is RequestFailedException or HttpRequestException)
        {
            // Lost: the work under it still completes; at worst another instance publishes the same snapshot, which
            // its create-if-absent manifest makes harmless.
        }
    }
}
