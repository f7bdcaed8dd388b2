using Microsoft.Extensions.Logging;
using Thaw.Inference.KeepAlive;

namespace Thaw.Inference.Models;

/// <summary>
/// Loading ahead of requests: the pre-warm at start (a failed load is tried again with exponential back-off until the
/// model has been ready once, so that an instance never stays unready waiting for a request), the keep-alive
/// scheduler's callbacks (unload an idle model, load one ahead of its predicted request), and the timer-driven
/// pre-warm of an instance that has seen nothing yet.
/// </summary>
public sealed partial class ModelHost
{
    /// <summary>How often a pre-warm timer (Functions timer trigger, standalone scheduler) calls <see cref="PrewarmDueAsync"/>.</summary>
    public static readonly TimeSpan PrewarmTimerPeriod = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Starts loading the model in the background, for the host's start. While it has never been ready, each failed
    /// load is tried again after <see cref="Settings.ModelsOptions.PrewarmRetryDelay"/>, doubled after each failure up
    /// to <see cref="Settings.ModelsOptions.PrewarmRetryMaxDelay"/>; the status reports the next attempt meanwhile.
    /// </summary>
    /// <exception cref="Catalog.ModelNotFoundException">The catalog has no such model.</exception>
    public void Prewarm(string modelId)
    {
        _ = Catalog.Get(modelId);
        // Not tracked as background work: it may wait minutes between attempts; shutting down ends it.
        _ = PrewarmWithRetriesAsync(modelId);
    }

    private async Task PrewarmWithRetriesAsync(string modelId)
    {
        TimeSpan delay = _options.PrewarmRetryDelay;
        for (bool retry = false; ; retry = true)
        {
            try
            {
                await StartLoad(modelId, retryFailedNow: retry).ConfigureAwait(false);
                return;
            }
            catch (ModelTooLargeException e)
            {
                // No retry can help until the budget or the catalog changes: say so once instead of every back-off.
                LogPrewarmTooLarge(modelId, e.Message);
                return;
            }
            catch (Exception) when (!_stopping.IsCancellationRequested)
            {
                // The load logged its failure and recorded it in the slot.
            }
            catch (Exception)
            {
                return;
            }

            ModelSlot slot = _slots[modelId];
            // The wait starts before the next attempt is shown, so that whoever sees it may count on it.
            Task wait = Task.Delay(delay, _time, _stopping.Token);
            lock (_gate)
            {
                if (slot.HasBeenReady)
                {
                    return;
                }

                slot.NextAttemptAt = _time.GetUtcNow() + delay;
            }

            LogPrewarmRetry(modelId, delay.TotalSeconds);
            try
            {
                await wait.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            lock (_gate)
            {
                if (slot.HasBeenReady)
                {
                    // A request loaded it meanwhile.
                    return;
                }
            }

            delay = delay * 2 < _options.PrewarmRetryMaxDelay ? delay * 2 : _options.PrewarmRetryMaxDelay;
        }
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
        foreach (string modelId in Catalog.Models.Select(m => m.Id).Order(StringComparer.Ordinal))
        {
            if (GetStatus(modelId).State is ModelState.Ready or ModelState.Loading
                || !await _keepAlive.IsPrewarmDueAsync(modelId, PrewarmTimerPeriod, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            LogPrewarming(modelId);
            LoadInBackground(modelId);
            started.Add(modelId);
        }

        return started;
    }

    /// <summary>The keep-alive scheduler's "unload if idle": only if nothing used the model since <paramref name="stamp"/> and it holds no work.</summary>
    private IdleUnload UnloadIfIdle(string modelId, long stamp)
    {
        lock (_gate)
        {
            if (!_slots.TryGetValue(modelId, out ModelSlot? slot) || slot.LastUse != stamp || slot.State != ModelState.Ready || _stopping.IsCancellationRequested)
            {
                return IdleUnload.Skipped;
            }

            if (slot.Model!.IsBusy || slot.Waiting > 0)
            {
                return IdleUnload.Busy;
            }

            LogIdleUnload(modelId);
            BeginUnload(slot);
            return IdleUnload.Unloaded;
        }
    }

    /// <summary>The keep-alive scheduler's "pre-warm": only if nothing used the model since <paramref name="stamp"/> and it is not loaded.</summary>
    private void PrewarmIfCold(string modelId, long stamp)
    {
        lock (_gate)
        {
            if (!_slots.TryGetValue(modelId, out ModelSlot? slot) || slot.LastUse != stamp || slot.State is not (ModelState.Cold or ModelState.Unloading) || _stopping.IsCancellationRequested)
            {
                return;
            }
        }

        LogPrewarming(modelId);
        LoadInBackground(modelId);
    }

    /// <summary>Fire and forget: the load records its outcome in the slot and logs it.</summary>
    private void LoadInBackground(string modelId) =>
        _ = LoadAsync(modelId).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "Model {ModelId}: pre-warm load failed; trying again in {DelaySeconds:0.###} s")]
    private partial void LogPrewarmRetry(string modelId, double delaySeconds);

    [LoggerMessage(EventId = 215, Level = LogLevel.Error, Message = "Model {ModelId}: not pre-warmed, and not retried: {Reason}")]
    private partial void LogPrewarmTooLarge(string modelId, string reason);

    [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "Model {ModelId}: idle past its keep-alive; unloading")]
    private partial void LogIdleUnload(string modelId);

    [LoggerMessage(EventId = 213, Level = LogLevel.Information, Message = "Model {ModelId}: pre-warming ahead of its predicted next request")]
    private partial void LogPrewarming(string modelId);
}
