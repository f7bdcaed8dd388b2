namespace Thaw.Inference.KeepAlive;

/// <summary>
/// Idle-time statistics kept in this process only: the store of a pool built without one (tests, in-process tools).
/// What this instance saw stays its whole knowledge, as nothing outlives the process.
/// </summary>
internal sealed class MemoryIdleStatisticsStore : IIdleStatisticsStore
{
    private readonly Dictionary<string, IdleTimeHistogram> _stored = new(StringComparer.Ordinal);

    public Task<IdleTimeHistogram?> LoadAsync(string modelId, CancellationToken cancellationToken = default)
    {
        lock (_stored)
        {
            return Task.FromResult(_stored.TryGetValue(modelId, out IdleTimeHistogram? stored) ? stored.Clone() : null);
        }
    }

    public Task<IdleTimeHistogram> MergeAsync(string modelId, IdleTimeHistogram samples, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(samples);
        lock (_stored)
        {
            if (!_stored.TryGetValue(modelId, out IdleTimeHistogram? stored) || !stored.HasShapeOf(samples))
            {
                stored = samples.Clone();
                _stored[modelId] = stored;
            }
            else
            {
                stored.MergeFrom(samples);
            }

            return Task.FromResult(stored.Clone());
        }
    }
}
