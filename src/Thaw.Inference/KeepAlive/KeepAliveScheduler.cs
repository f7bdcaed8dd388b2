using Microsoft.Extensions.Logging;

namespace Thaw.Inference.KeepAlive;

/// <summary>
/// Per-model keep-alive timers and idle-time statistics, in the shape of YARP's <c>EntityActionScheduler</c>: it owns
/// the timers and calls its owner back — "unload if idle" when a model's keep-alive ends, "pre-warm" ahead of the
/// request the policy predicts. After each request the policy says how long the model stays loaded, or to unload it
/// and load it again ahead of the next one. A request (not a batch-job line, which would flood the histogram with
/// near-zero gaps) is a sample: the idle time since the previous request. What this instance saw is merged into the
/// store when a model unloads and at shutdown (scale to zero ends the instance), and read from it once per model.
/// </summary>
/// <remarks>
/// Every field of every entry is guarded by one lock, held only for bookkeeping: the callbacks, the store and the
/// policy's inputs' I/O are never reached under it. A callback carries the owner's use stamp of the use that armed
/// it, so that the owner can tell "idle since then" from "used again meanwhile" under its own lock:
/// <c>unloadIfIdle</c> when a keep-alive ends, <c>prewarm</c> when a pre-warm is due.
/// </remarks>
internal sealed partial class KeepAliveScheduler(
    IKeepAlivePolicy policy,
    IIdleStatisticsStore store,
    HistogramKeepAliveOptions shape,
    TimeProvider timeProvider,
    ILogger logger,
    Func<string, long, IdleUnload> unloadIfIdle,
    Action<string, long> prewarm) : IAsyncDisposable
{
    /// <summary>How soon after a pre-warming decision the model is unloaded: the request that made it finishes first.</summary>
    public static readonly TimeSpan UnloadGrace = TimeSpan.FromSeconds(5);

    /// <summary>A model still busy when its keep-alive ends is looked at again this much later.</summary>
    public static readonly TimeSpan BusyRecheck = TimeSpan.FromSeconds(1);

    private readonly ILogger _logger = logger;
    private readonly Dictionary<string, KeepAliveEntry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _background = [];
    private bool _disposed;

    /// <summary>A request arrived for the model: the idle time since the previous one is a sample.</summary>
    public void Requested(string modelId)
    {
        DateTimeOffset now = timeProvider.GetUtcNow();
        lock (_lock)
        {
            KeepAliveEntry entry = Entry(modelId);
            entry.Decision = null;
            entry.Pending ??= IdleTimeHistogram.Create(shape);
            if (entry.LastArrival is { } previous)
            {
                entry.Pending.Add(now - previous);
                entry.Known?.Add(now - previous);
            }

            entry.Pending.LastArrival = now;
            entry.Known?.LastArrival = now;
            entry.LastArrival = now;
        }
    }

    /// <summary>
    /// The model finished loading (<paramref name="stamp"/>: the owner's use stamp then): used or not, it stays for the
    /// policy's keep-alive window. The first load reads the stored statistics.
    /// </summary>
    public void Loaded(string modelId, long stamp)
    {
        KeepAliveEntry entry;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            entry = Entry(modelId);
            if (stamp >= entry.Stamp)
            {
                // A pre-warm already scheduled stays: unloading until just before the predicted request is the policy's plan.
                entry.UnloadTimer?.Dispose();
                entry.Stamp = stamp;
                ArmUnload(entry, stamp, Decide(entry).KeepAliveWindow);
            }

            if (entry.Known is not null)
            {
                return;
            }
        }

        StartBackground(() => ReadAsync(entry));
    }

    /// <summary>
    /// A request (<paramref name="stamp"/>: the owner's use stamp of it) got the loaded model: arm the unload (and the
    /// pre-warm) that the policy decides. A pre-warm starts <paramref name="loadDuration"/> ahead of the predicted request.
    /// </summary>
    public void Served(string modelId, long stamp, TimeSpan loadDuration)
    {
        lock (_lock)
        {
            KeepAliveEntry entry = Entry(modelId);
            if (_disposed || stamp < entry.Stamp)
            {
                // An older request finishing late: the timers of the newer one stand.
                return;
            }

            KeepAliveDecision decision = Decide(entry);
            TimeSpan lead = decision.PrewarmDelay - loadDuration;
            entry.StopTimers();
            entry.Stamp = stamp;
            if (!decision.Prewarms || lead <= UnloadGrace)
            {
                // Unloading would not pay: the model could not be back in time. Keep it through the predicted gap.
                ArmUnload(entry, stamp, decision.PrewarmDelay + decision.KeepAliveWindow);
                return;
            }

            ArmUnload(entry, stamp, UnloadGrace);
            entry.PrewarmTimer = timeProvider.CreateTimer(_ => OnPrewarmDue(entry, stamp), null, lead, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// True when the statistics every instance merged (idle-time histogram and last request) predict a request to
    /// the model within <paramref name="horizon"/>: what a timer on an instance that has seen nothing yet asks.
    /// </summary>
    public async Task<bool> IsPrewarmDueAsync(string modelId, TimeSpan horizon, CancellationToken cancellationToken = default)
    {
        if (await store.LoadAsync(modelId, cancellationToken).ConfigureAwait(false) is not { LastArrival: { } last } statistics)
        {
            return false;
        }

        KeepAliveDecision decision = policy.Decide(statistics);
        DateTimeOffset now = timeProvider.GetUtcNow();
        return decision.Prewarms && now >= last + decision.PrewarmDelay - horizon && now < last + decision.PrewarmDelay + decision.KeepAliveWindow;
    }

    /// <summary>Adds what this instance saw of the model to the stored statistics; on failure keeps it for the next flush.</summary>
    public async Task FlushAsync(string modelId)
    {
        KeepAliveEntry entry;
        IdleTimeHistogram? pending;
        lock (_lock)
        {
            entry = Entry(modelId);
            pending = entry.Pending;
            entry.Pending = null;
            entry.Decision = null;
        }

        if (pending is null)
        {
            return;
        }

        try
        {
            IdleTimeHistogram merged = await store.MergeAsync(modelId, pending, CancellationToken.None).ConfigureAwait(false);
            lock (_lock)
            {
                entry.Known = merged.Clone();
                entry.Decision = null;
                if (entry.Pending is { } newer)
                {
                    entry.Known.MergeFrom(newer);
                }
            }
        }
        catch (Exception e)
        {
            LogIdleStatisticsFailed(e, modelId);
            lock (_lock)
            {
                if (entry.Pending is { } newer)
                {
                    pending.MergeFrom(newer);
                }

                entry.Pending = pending;
                entry.Decision = null;
            }
        }
    }

    /// <summary>Waits for the statistics reads started by loads.</summary>
    public Task WhenBackgroundWorkDoneAsync()
    {
        lock (_background)
        {
            return Task.WhenAll(_background);
        }
    }

    /// <summary>Stops every timer, then merges what this instance learned into the store: it outlives the instance.</summary>
    public async ValueTask DisposeAsync()
    {
        string[] models;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (KeepAliveEntry entry in _entries.Values)
            {
                entry.StopTimers();
            }

            models = [.. _entries.Keys];
        }

        // Not under the lock: cancelling runs the statistics reads' callbacks on this thread.
        await _stopping.CancelAsync().ConfigureAwait(false);

        await WhenBackgroundWorkDoneAsync().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (string modelId in models)
        {
            await FlushAsync(modelId).ConfigureAwait(false);
        }
    }

    /// <summary>Under the lock.</summary>
    private KeepAliveEntry Entry(string modelId)
    {
        if (!_entries.TryGetValue(modelId, out KeepAliveEntry? entry))
        {
            entry = new KeepAliveEntry(modelId);
            _entries.Add(modelId, entry);
        }

        return entry;
    }

    /// <summary>Under the lock: the policy's decision for the model's statistics as they stand, decided once per change.</summary>
    private KeepAliveDecision Decide(KeepAliveEntry entry) =>
        entry.Decision ??= policy.Decide(entry.Known ?? entry.Pending ?? IdleTimeHistogram.Create(shape));

    /// <summary>Under the lock. An infinite keep-alive arms nothing.</summary>
    private void ArmUnload(KeepAliveEntry entry, long stamp, TimeSpan after) =>
        entry.UnloadTimer = after == Timeout.InfiniteTimeSpan ? null : timeProvider.CreateTimer(_ => OnUnloadDue(entry, stamp), null, after, Timeout.InfiniteTimeSpan);

    private void OnUnloadDue(KeepAliveEntry entry, long stamp)
    {
        lock (_lock)
        {
            if (_disposed || entry.Stamp != stamp)
            {
                return;
            }
        }

        if (unloadIfIdle(entry.ModelId, stamp) != IdleUnload.Busy)
        {
            return;
        }

        lock (_lock)
        {
            if (!_disposed && entry.Stamp == stamp)
            {
                entry.UnloadTimer?.Dispose();
                ArmUnload(entry, stamp, BusyRecheck);
            }
        }
    }

    private void OnPrewarmDue(KeepAliveEntry entry, long stamp)
    {
        lock (_lock)
        {
            if (_disposed || entry.Stamp != stamp)
            {
                return;
            }
        }

        prewarm(entry.ModelId, stamp);
    }

    private async Task ReadAsync(KeepAliveEntry entry)
    {
        try
        {
            IdleTimeHistogram known = await store.LoadAsync(entry.ModelId, _stopping.Token).ConfigureAwait(false) ?? IdleTimeHistogram.Create(shape);
            lock (_lock)
            {
                if (!known.HasShapeOf(IdleTimeHistogram.Create(shape)))
                {
                    known = IdleTimeHistogram.Create(shape);
                }

                if (entry.Pending is { } pending)
                {
                    known.MergeFrom(pending);
                }

                entry.Known = known;
                entry.Decision = null;
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down: nothing to decide any more.
        }
        catch (Exception e)
        {
            LogIdleStatisticsFailed(e, entry.ModelId);
        }
    }

    private void StartBackground(Func<Task> work)
    {
        lock (_background)
        {
            _background.RemoveAll(t => t.IsCompleted);
            _background.Add(Task.Run(work));
        }
    }

    [LoggerMessage(EventId = 214, Level = LogLevel.Warning, Message = "Model {ModelId}: idle-time statistics could not be read or stored; the keep-alive policy works from what this instance saw")]
    private partial void LogIdleStatisticsFailed(Exception exception, string modelId);
}
