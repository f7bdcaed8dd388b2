namespace Thaw.Inference.Jobs;

public static class BatchStoreExtensions
{
    /// <summary>
    /// Read-modify-write until it sticks: applies <paramref name="change"/> to the latest version and writes it
    /// conditionally, retrying on a conflict (the API's cancel and the runner's progress race). A change that returns
    /// null leaves the batch as it is. Returns the batch as stored afterwards, or null when there is no such batch.
    /// </summary>
    public static async Task<BatchRecord?> UpdateAsync(
        this IBatchStore store, string id, Func<BatchRecord, BatchRecord?> change, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (await store.GetAsync(id, cancellationToken).ConfigureAwait(false) is not { } current)
            {
                return null;
            }

            if (change(current.Batch) is not { } next)
            {
                return current.Batch;
            }

            if (await store.TryUpdateAsync(next, current.ETag, cancellationToken).ConfigureAwait(false) is not null)
            {
                return next;
            }
        }
    }
}
