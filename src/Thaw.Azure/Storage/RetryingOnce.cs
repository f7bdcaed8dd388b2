namespace Thaw.Azure.Storage;

/// <summary>
/// A one-time asynchronous set-up (creating a queue or a container) that callers share while it runs and once it
/// succeeded, but that starts again on the next call after it failed: a <c>Lazy&lt;Task&gt;</c> would hand out the
/// same faulted task for the life of the process, so one storage outage at the first use would break it for ever.
/// </summary>
internal sealed class RetryingOnce<T>(Func<Task<T>> create)
{
    private readonly Lock _gate = new();
    private Task<T>? _task;

    public Task<T> GetAsync()
    {
        lock (_gate)
        {
            if (_task is null || _task.IsFaulted || _task.IsCanceled)
            {
                _task = create();
            }

            return _task;
        }
    }
}
