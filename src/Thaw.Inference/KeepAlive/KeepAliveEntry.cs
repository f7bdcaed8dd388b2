namespace Thaw.Inference.KeepAlive;

/// <summary>One model's keep-alive state: plain fields, every one guarded by the <see cref="KeepAliveScheduler"/>'s lock.</summary>
internal sealed class KeepAliveEntry(string modelId)
{
    public readonly string ModelId = modelId;

    /// <summary>The owner's use stamp the armed timers belong to: a timer armed for an older use does nothing.</summary>
    public long Stamp = -1;

    public DateTimeOffset? LastArrival;

    /// <summary>Idle times seen here and not yet merged into the store.</summary>
    public IdleTimeHistogram? Pending;

    /// <summary>The stored histogram plus what this instance saw since (null until read).</summary>
    public IdleTimeHistogram? Known;

    /// <summary>The policy's decision for the statistics as they stand (null after they changed).</summary>
    public KeepAliveDecision? Decision;

    public ITimer? UnloadTimer;

    public ITimer? PrewarmTimer;

    public void StopTimers()
    {
        UnloadTimer?.Dispose();
        UnloadTimer = null;
        PrewarmTimer?.Dispose();
        PrewarmTimer = null;
    }
}
