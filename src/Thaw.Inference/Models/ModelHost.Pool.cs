using Microsoft.Extensions.Logging;
using Thaw.Inference.Batching;
using Thaw.Inference.Embeddings;
using Thaw.Inference.KeepAlive;

namespace Thaw.Inference.Models;

/// <summary>
/// The pool's policies: the memory budget (least recently used evicted first; a load never starts its session before
/// its evictions have given their memory back) and keep-alive (after each request the policy says how long the model
/// stays loaded, or to unload it and load it again ahead of the predicted next request). Unloading frees the model's
/// memory; the process and the runtime stay, so the next load skips process start. Every timer runs on the injected
/// <see cref="TimeProvider"/>; all state changes happen under <c>_gate</c>.
/// </summary>
public sealed partial class ModelHost
{
    /// <summary>How soon after a pre-warming decision the model is unloaded: the request that made it finishes first.</summary>
    private static readonly TimeSpan UnloadGrace = TimeSpan.FromSeconds(5);

    /// <summary>How often a pre-warm timer (Functions timer trigger, standalone scheduler) calls <see cref="PrewarmDueAsync"/>.</summary>
    public static readonly TimeSpan PrewarmTimerPeriod = TimeSpan.FromMinutes(1);

    /// <summary>A model still busy when its keep-alive ends is looked at again this much later.</summary>
    private static readonly TimeSpan BusyRecheck = TimeSpan.FromSeconds(1);

    /// <summary>Under <c>_gate</c>: evicts least-recently-used ready models until <paramref name="slot"/> fits the budget.</summary>
    /// <returns>The unloads to wait for before the new session is created.</returns>
    /// <exception cref="ModelNotReadyException">The model is larger than the budget, or the models that do not fit beside it are all loading.</exception>
    private Task[] MakeRoom(Slot slot)
    {
        var waits = _slots.Values.Where(s => s.Unloading is not null).Select(s => s.Unloading!).ToList();
        long budget = _options.Models.MemoryBudgetBytes;
        if (budget == 0)
        {
            return [.. waits];
        }

        string modelId = slot.Id;
        if (slot.Bytes > budget)
        {
            throw new ModelNotReadyException(modelId, ModelState.Failed, _options.Models.RetryAfter,
                $"Thaw:Models:MemoryBudgetBytes ({budget} bytes) is smaller than the model ({slot.Bytes} bytes).");
        }

        long used = _slots.Values.Where(s => s != slot && s.State is ModelState.Loading or ModelState.Ready).Sum(s => s.Bytes);
        foreach (Slot victim in _slots.Values.Where(s => s != slot && s.State == ModelState.Ready).OrderBy(s => s.LastUse))
        {
            if (used + slot.Bytes <= budget)
            {
                break;
            }

            LogEvicting(victim.Id, modelId, budget);
            waits.Add(BeginUnload(victim));
            used -= victim.Bytes;
        }

        if (used + slot.Bytes > budget)
        {
            throw new ModelNotReadyException(modelId, ModelState.Loading, _options.Models.RetryAfter,
                $"the memory budget (Thaw:Models:MemoryBudgetBytes, {budget} bytes) is taken by models that are loading; retry after {_options.Models.RetryAfter.TotalSeconds:0} s.");
        }

        return [.. waits];
    }

    /// <summary>Under <c>_gate</c>: takes the model out of service and disposes it in the background (its accepted work finishes first).</summary>
    private Task BeginUnload(Slot slot)
    {
        string modelId = slot.Id;
        EmbeddingModel model = slot.Model ?? throw new InvalidOperationException($"Bug: unloading model '{modelId}', which is not loaded.");
        slot.Model = null;
        slot.Load = null;
        slot.State = ModelState.Unloading;
        // A pre-warm already scheduled stays: unloading until just before the predicted request is the policy's plan.
        slot.UnloadTimer?.Dispose();
        slot.UnloadTimer = null;
        var unloading = Task.Run(async () =>
        {
            await model.DisposeAsync().ConfigureAwait(false);
            lock (_gate)
            {
                slot.Unloading = null;
                if (slot.State == ModelState.Unloading)
                {
                    slot.State = ModelState.Cold;
                }
            }

            LogUnloaded(modelId);
            await FlushIdleStatisticsAsync(slot).ConfigureAwait(false);
        });
        slot.Unloading = unloading;
        lock (_background)
        {
            _background.Add(unloading);
        }

        return unloading;
    }

    /// <summary>
    /// The model is used: it becomes the most recently used and its keep-alive starts over. A request (not a line of a
    /// batch job, which would flood the histogram with near-zero gaps) is also a sample: the idle time since the
    /// previous request.
    /// </summary>
    private void Used(Slot slot, bool isRequest)
    {
        DateTimeOffset now = _time.GetUtcNow();
        lock (_gate)
        {
            slot.LastUse = ++_uses;
            slot.Generation++;
            if (_policy is not null && isRequest)
            {
                slot.Decision = null;
                slot.PendingIdleTimes ??= IdleTimeHistogram.Create(_histogramShape);
                if (slot.LastArrival is { } previous)
                {
                    slot.PendingIdleTimes.Add(now - previous);
                    slot.KnownIdleTimes?.Add(now - previous);
                }

                slot.PendingIdleTimes.LastArrival = now;
                slot.KnownIdleTimes?.LastArrival = now;
            }

            if (isRequest)
            {
                slot.LastArrival = now;
            }
        }
    }

    /// <summary>Under <c>_gate</c>: the policy's decision for the model's statistics as they stand, decided once per change.</summary>
    private KeepAliveDecision Decide(Slot slot) =>
        slot.Decision ??= _policy!.Decide(slot.KnownIdleTimes ?? slot.PendingIdleTimes ?? IdleTimeHistogram.Create(_histogramShape));

    /// <summary>After a request got its model: arm the unload (and the pre-warm) that the policy decides.</summary>
    private void KeepAlive(Slot slot)
    {
        if (_policy is null)
        {
            return;
        }

        lock (_gate)
        {
            if (slot.State != ModelState.Ready)
            {
                return;
            }

            KeepAliveDecision decision = Decide(slot);
            TimeSpan lead = decision.PrewarmDelay - slot.LoadDuration;
            slot.StopTimers();
            long generation = slot.Generation;
            if (!decision.Prewarms || lead <= UnloadGrace)
            {
                // Unloading would not pay: the model could not be back in time. Keep it through the predicted gap.
                ArmUnload(slot, generation, decision.PrewarmDelay + decision.KeepAliveWindow);
                return;
            }

            ArmUnload(slot, generation, UnloadGrace);
            slot.PrewarmTimer = _time.CreateTimer(_ => Prewarm(slot, generation), null, lead, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Under <c>_gate</c>: a loaded model, used or not, stays for the policy's keep-alive window.</summary>
    private void ScheduleAfterLoad(Slot slot)
    {
        if (_policy is null)
        {
            return;
        }

        KeepAliveDecision decision = Decide(slot);
        slot.UnloadTimer?.Dispose();
        ArmUnload(slot, slot.Generation, decision.KeepAliveWindow);
    }

    private void ArmUnload(Slot slot, long generation, TimeSpan after) =>
        slot.UnloadTimer = _time.CreateTimer(_ => Idle(slot, generation), null, after, Timeout.InfiniteTimeSpan);

    private void Idle(Slot slot, long generation)
    {
        lock (_gate)
        {
            if (slot.Generation != generation || slot.State != ModelState.Ready || _stopping.IsCancellationRequested)
            {
                return;
            }

            EmbeddingModel model = slot.Model!;
            if (model.GetStatistics(BatchProfileKind.Interactive).Queued + model.GetStatistics(BatchProfileKind.Bulk).Queued > 0 || slot.Waiting > 0)
            {
                ArmUnload(slot, generation, BusyRecheck);
                return;
            }

            LogIdleUnload(slot.Id);
            BeginUnload(slot);
        }
    }

    private void Prewarm(Slot slot, long generation)
    {
        lock (_gate)
        {
            if (slot.Generation != generation || slot.State is not (ModelState.Cold or ModelState.Unloading) || _stopping.IsCancellationRequested)
            {
                return;
            }
        }

        LogPrewarming(slot.Id);
        // Fire and forget, as at start: the load records its outcome in the slot and logs it.
        _ = LoadAsync(slot.Id).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
    }

    /// <summary>
    /// Starts loading each model whose policy predicts a request within the next <see cref="PrewarmTimerPeriod"/>,
    /// from the statistics all instances merged (idle-time histogram and last request). This is what a timer calls on
    /// an instance that has seen nothing yet — one the platform started for the timer, after a scale to zero.
    /// </summary>
    /// <returns>The models it started loading.</returns>
    public async Task<IReadOnlyList<string>> PrewarmDueAsync(CancellationToken cancellationToken = default)
    {
        var started = new List<string>();
        if (_policy is null || _idleStatistics is null)
        {
            return started;
        }

        foreach (string modelId in Catalog.Models.Select(m => m.Id).Order(StringComparer.Ordinal))
        {
            if (GetStatus(modelId).State is ModelState.Ready or ModelState.Loading
                || await _idleStatistics.LoadAsync(modelId, cancellationToken).ConfigureAwait(false) is not { LastArrival: { } last } statistics)
            {
                continue;
            }

            KeepAliveDecision decision = _policy.Decide(statistics);
            DateTimeOffset now = _time.GetUtcNow();
            if (decision.Prewarms && now >= last + decision.PrewarmDelay - PrewarmTimerPeriod && now < last + decision.PrewarmDelay + decision.KeepAliveWindow)
            {
                LogPrewarming(modelId);
                _ = LoadAsync(modelId).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
                started.Add(modelId);
            }
        }

        return started;
    }

    private async Task ReadIdleStatisticsAsync(Slot slot)
    {
        string modelId = slot.Id;
        try
        {
            IdleTimeHistogram known = await _idleStatistics!.LoadAsync(modelId, _stopping.Token).ConfigureAwait(false) ?? IdleTimeHistogram.Create(_histogramShape);
            lock (_gate)
            {
                if (!known.HasShapeOf(IdleTimeHistogram.Create(_histogramShape)))
                {
                    known = IdleTimeHistogram.Create(_histogramShape);
                }

                if (slot.PendingIdleTimes is { } pending)
                {
                    known.MergeFrom(pending);
                }

                slot.KnownIdleTimes = known;
                slot.Decision = null;
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down: nothing to decide any more.
        }
        catch (Exception e)
        {
            LogIdleStatisticsFailed(e, modelId);
        }
    }

    /// <summary>Adds what this instance saw to the stored statistics; on failure keeps it for the next flush.</summary>
    private async Task FlushIdleStatisticsAsync(Slot slot)
    {
        string modelId = slot.Id;
        if (_idleStatistics is null)
        {
            // Nowhere to keep them: what this instance saw stays its whole knowledge.
            return;
        }

        IdleTimeHistogram? pending;
        lock (_gate)
        {
            pending = slot.PendingIdleTimes;
            slot.PendingIdleTimes = null;
            slot.Decision = null;
        }

        if (pending is null)
        {
            return;
        }

        try
        {
            IdleTimeHistogram merged = await _idleStatistics.MergeAsync(modelId, pending, CancellationToken.None).ConfigureAwait(false);
            lock (_gate)
            {
                slot.KnownIdleTimes = merged.Clone();
                slot.Decision = null;
                if (slot.PendingIdleTimes is { } newer)
                {
                    slot.KnownIdleTimes.MergeFrom(newer);
                }
            }
        }
        catch (Exception e)
        {
            LogIdleStatisticsFailed(e, modelId);
            lock (_gate)
            {
                if (slot.PendingIdleTimes is { } newer)
                {
                    pending.MergeFrom(newer);
                }

                slot.PendingIdleTimes = pending;
                slot.Decision = null;
            }
        }
    }

    [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "Model {ModelId}: evicted to make room for {ModelToLoad} (memory budget {Budget} bytes)")]
    private partial void LogEvicting(string modelId, string modelToLoad, long budget);

    [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "Model {ModelId}: idle past its keep-alive; unloading")]
    private partial void LogIdleUnload(string modelId);

    [LoggerMessage(EventId = 212, Level = LogLevel.Information, Message = "Model {ModelId}: unloaded")]
    private partial void LogUnloaded(string modelId);

    [LoggerMessage(EventId = 213, Level = LogLevel.Information, Message = "Model {ModelId}: pre-warming ahead of its predicted next request")]
    private partial void LogPrewarming(string modelId);

    [LoggerMessage(EventId = 214, Level = LogLevel.Warning, Message = "Model {ModelId}: idle-time statistics could not be read or stored; the keep-alive policy works from what this instance saw")]
    private partial void LogIdleStatisticsFailed(Exception exception, string modelId);
}
