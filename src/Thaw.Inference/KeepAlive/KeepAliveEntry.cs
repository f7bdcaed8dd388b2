namespace Thaw.Inference.KeepAlive;

/// <summary>One model's keep-alive state; every field is guarded by the <see cref="KeepAliveScheduler"/>'s lock.</summary>
internal sealed class KeepAliveEntry(string modelId)
{
    public string ModelId { get; } = modelId;

    /// <summary>The pool's use stamp the armed timers belong to: a timer armed for an older use does nothing.</summary>
    public long Stamp { get; set; } = -1;

    public DateTimeOffset? LastArrival { get; set; }

    /// <summary>Idle times seen here and not yet merged into the store.</summary>
    public IdleTimeHistogram? Pending { get; set; }

    /// <summary>The stored histogram plus what this instance saw since (null until read).</summary>
    public IdleTimeHistogram? Known { get; set; }

    /// <summary>The policy's decision for the statistics as they stand (null after they changed).</summary>
    public KeepAliveDecision? Decision { get; set; }

    public ITimer? UnloadTimer { get; set; }

    public ITimer? PrewarmTimer { get; set; }

    public void StopTimers()
    {
        UnloadTimer?.Dispose();
        UnloadTimer = null;
        PrewarmTimer?.Dispose();
        PrewarmTimer = null;
    }
}
