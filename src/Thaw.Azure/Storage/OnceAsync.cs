namespace Thaw.Azure.Storage;

/// <summary>
/// A step an instance runs once before its first use of something (a layout migration): concurrent callers wait for
/// the one run; a run that fails is tried again by the next caller.
/// </summary>
internal sealed class OnceAsync(Func<CancellationToken, Task> step)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _done;

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (_done)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_done)
            {
                await step(cancellationToken).ConfigureAwait(false);
                _done = true;
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
