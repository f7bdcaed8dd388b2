using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.KeepAlive;
using Thaw.Inference.Settings;
using Thaw.Inference.Snapshots;
using Thaw.Inference.Sources;

namespace Thaw.Inference.Models;

/// <summary>
/// The pool of models live on this instance, of any task (<see cref="ILoadedModel"/>). Loads are single-flight
/// (concurrent first requests share one load), run in the background so they never block the host, and are done by
/// the model's task's <see cref="IModelLoader"/>. A request waits a bounded time for its model — and only so many
/// wait — then gets <see cref="ModelNotReadyException"/> (503 + Retry-After). Models share a memory budget, least
/// recently used evicted first (ModelHost.Budget.cs); a <see cref="KeepAliveScheduler"/> unloads idle ones and loads
/// them again ahead of their predicted next request, and a failed pre-warm is retried with back-off (ModelHost.Prewarm.cs).
/// </summary>
/// <remarks>
/// Who owns what, and which lock guards it:
/// <list type="bullet">
/// <item>The pool owns the slots (<see cref="ModelSlot"/>: state, the load, the model, timings, errors, waiters, use
/// stamps, unloads) and the use counter, all under <c>_gate</c>. <c>_gate</c> is held for bookkeeping only: nothing
/// is awaited, loaded, disposed or called on another component under it (logging aside).</item>
/// <item>The <see cref="KeepAliveScheduler"/> owns the timers and idle-time statistics under its own lock. The pool
/// calls it only outside <c>_gate</c>; it calls the pool back ("unload if idle", "pre-warm") only outside its lock, with
/// the use stamp that armed the timer, which the pool compares under <c>_gate</c>. So the two locks are never nested.</item>
/// <item>A loader keeps no state between loads and runs outside every lock; each model synchronizes its own serving
/// (batchers, schedulers). <c>_background</c> guards only its list of background tasks.</item>
/// </list>
/// </remarks>
public sealed partial class ModelHost : IAsyncDisposable, IDisposable
{
    private readonly ModelLoaders _loaders;
    private readonly ModelsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelHost> _logger;
    private readonly ModelLoadMetrics? _loadMetrics;
    private readonly KeepAliveScheduler _keepAlive;
    private readonly ConcurrentDictionary<string, ModelSlot> _slots = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _background = [];
    private readonly Lock _gate = new();
    private long _uses;

    /// <summary>Without a keep-alive policy models stay loaded for the life of the process; without a store, idle-time statistics live in this process only.</summary>
    public ModelHost(
        ModelCatalog catalog,
        IEnumerable<IModelLoader> loaders,
        IOptions<ModelsOptions> options,
        TimeProvider timeProvider,
        ILogger<ModelHost> logger,
        ModelLoadMetrics? loadMetrics = null,
        IKeepAlivePolicy? keepAlivePolicy = null,
        IIdleStatisticsStore? idleStatistics = null,
        IOptions<KeepAliveOptions>? keepAliveOptions = null)
    {
        Catalog = catalog;
        _loaders = new ModelLoaders(loaders);
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
        _loadMetrics = loadMetrics;
        _keepAlive = new KeepAliveScheduler(
            keepAlivePolicy ?? NoKeepAlivePolicy.Instance,
            idleStatistics ?? new MemoryIdleStatisticsStore(),
            keepAliveOptions?.Value.Histogram ?? new HistogramKeepAliveOptions(),
            timeProvider,
            logger,
            UnloadIfIdle,
            PrewarmIfCold);
    }

    public ModelCatalog Catalog { get; }

    public IReadOnlyList<ModelStatus> GetStatuses() =>
        Catalog.Models.OrderBy(m => m.Id, StringComparer.Ordinal).Select(m => GetStatus(m.Id)).ToList();

    public ModelStatus GetStatus(string modelId)
    {
        if (!_slots.TryGetValue(modelId, out ModelSlot? slot))
        {
            return new ModelStatus(modelId, ModelState.Cold, null, null, null);
        }

        lock (_gate)
        {
            return new ModelStatus(modelId, slot.State, slot.Error, slot.Model?.ExecutionProvider, slot.Timings,
                slot.Model?.GetActivity(), slot.SnapshotPublish,
                slot.HasBeenReady, slot.Bytes, slot.ErrorCode, slot.NextAttemptAt);
        }
    }

    /// <summary>Starts loading the model unless it is loaded or loading; returns the (shared) load.</summary>
    /// <exception cref="ModelNotFoundException">The catalog has no such model.</exception>
    /// <remarks>A load that does not fit the memory budget next to the models that cannot be evicted (they are loading) fails with <see cref="ModelNotReadyException"/>.</remarks>
    public Task<ILoadedModel> LoadAsync(string modelId) => StartLoad(modelId, retryFailedNow: false);

    /// <summary>As <see cref="LoadAsync(string)"/>, for a caller that knows the model's type.</summary>
    /// <exception cref="ModelNotFoundException">The catalog has no such model.</exception>
    /// <exception cref="InvalidOperationException">The model is of another type (task) than <typeparamref name="TModel"/>.</exception>
    public async Task<TModel> LoadAsync<TModel>(string modelId)
        where TModel : class, ILoadedModel =>
        As<TModel>(await LoadAsync(modelId).ConfigureAwait(false));

    /// <summary>Returns the model once ready, waiting at most <see cref="ModelsOptions.LoadWaitTimeout"/> for a load.</summary>
    /// <exception cref="ModelNotFoundException">The catalog has no such model.</exception>
    /// <exception cref="ModelNotReadyException">The model is still loading, or failed to load.</exception>
    /// <exception cref="ModelTooLargeException">The model alone is larger than the memory budget.</exception>
    /// <exception cref="InvalidOperationException">The model is of another type (task) than <typeparamref name="TModel"/>.</exception>
    /// <remarks>Each call counts as a request to the model: it feeds the model's idle-time statistics and keep-alive.</remarks>
    public Task<TModel> AcquireAsync<TModel>(string modelId, CancellationToken cancellationToken = default)
        where TModel : class, ILoadedModel =>
        AcquireCoreAsync<TModel>(modelId, isRequest: true, cancellationToken);

    /// <summary>
    /// Uses the model once ready (waiting as <see cref="AcquireAsync{TModel}"/> does). A model unloaded between the
    /// lookup and its use (idle past its keep-alive, or evicted: its batcher or scheduler is closed) is loaded again
    /// once, so the caller never sees the pool's unload as an error.
    /// </summary>
    /// <remarks><paramref name="isRequest"/> is false for a line of a batch job: it keeps the model alive but is not a request of its own to learn idle times from.</remarks>
    /// <exception cref="ModelNotFoundException">The catalog has no such model.</exception>
    /// <exception cref="ModelNotReadyException">The model is still loading, or failed to load.</exception>
    /// <exception cref="ModelTooLargeException">The model alone is larger than the memory budget.</exception>
    /// <exception cref="BatcherClosedException">This host is shutting down.</exception>
    public async Task<TResult> UseAsync<TModel, TResult>(
        string modelId, bool isRequest, Func<TModel, CancellationToken, Task<TResult>> use, CancellationToken cancellationToken = default)
        where TModel : class, ILoadedModel
    {
        ArgumentNullException.ThrowIfNull(use);
        for (int attempt = 0; ; attempt++)
        {
            TModel model = await AcquireCoreAsync<TModel>(modelId, isRequest, cancellationToken).ConfigureAwait(false);
            try
            {
                return await use(model, cancellationToken).ConfigureAwait(false);
            }
            catch (BatcherClosedException) when (attempt == 0 && !_stopping.IsCancellationRequested)
            {
                LogReloadAfterUnload(modelId);
            }
        }
    }

    private async Task<TModel> AcquireCoreAsync<TModel>(string modelId, bool isRequest, CancellationToken cancellationToken)
        where TModel : class, ILoadedModel
    {
        Task<ILoadedModel> load = LoadAsync(modelId);
        ModelSlot slot = _slots[modelId];
        long stamp;
        lock (_gate)
        {
            stamp = slot.LastUse = ++_uses;
        }

        if (isRequest)
        {
            _keepAlive.Requested(modelId);
        }

        if (load.IsCompletedSuccessfully)
        {
            Served(slot, stamp);
            return As<TModel>(load.Result);
        }

        lock (_gate)
        {
            if (slot.Waiting >= _options.MaxWaitingRequests)
            {
                throw new ModelNotReadyException(modelId, ModelState.Loading, _options.RetryAfter,
                    $"{slot.Waiting} requests are already waiting for it to load (Thaw:Models:MaxWaitingRequests); retry after {_options.RetryAfter.TotalSeconds:0} s.");
            }

            slot.Waiting++;
        }

        ILoadedModel model;
        try
        {
            model = await load.WaitAsync(_options.LoadWaitTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new ModelNotReadyException(modelId, ModelState.Loading, _options.RetryAfter);
        }
        catch (Exception e) when (e is ModelNotReadyException or ModelTooLargeException)
        {
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new ModelNotReadyException(modelId, ModelState.Failed, _options.RetryAfter, e.Message, e);
        }
        finally
        {
            lock (_gate)
            {
                slot.Waiting--;
            }
        }

        Served(slot, stamp);
        return As<TModel>(model);
    }

    /// <summary>A use got its loaded model: its keep-alive starts over.</summary>
    private void Served(ModelSlot slot, long stamp)
    {
        TimeSpan loadDuration;
        lock (_gate)
        {
            if (slot.State != ModelState.Ready)
            {
                return;
            }

            loadDuration = slot.Timings!.Total;
        }

        _keepAlive.Served(slot.Id, stamp, loadDuration);
    }

    private static TModel As<TModel>(ILoadedModel model)
        where TModel : class, ILoadedModel =>
        model as TModel ?? throw new InvalidOperationException($"The model '{model.Id}' is a {model.Task} model ({model.GetType().Name}), not a {typeof(TModel).Name}.");

    private Task<ILoadedModel> StartLoad(string modelId, bool retryFailedNow)
    {
        ModelManifest manifest = Catalog.Get(modelId);
        ModelSlot slot = _slots.GetOrAdd(modelId, _ => new ModelSlot(modelId, manifest.ReservedBytes()));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            if (slot.Load is null || slot.State == ModelState.Failed && (retryFailedNow || _time.GetUtcNow() - slot.FailedAt >= _options.RetryAfter))
            {
                Task[] evictions;
                try
                {
                    evictions = MakeRoom(slot);
                }
                catch (ModelTooLargeException e)
                {
                    // Recorded as a failed load, so that /readyz and /v1/models say why; each later use checks the budget again.
                    slot.State = ModelState.Failed;
                    slot.Error = e.Message;
                    slot.ErrorCode = ModelLoadError.Categorize(e);
                    slot.FailedAt = _time.GetUtcNow();
                    return Task.FromException<ILoadedModel>(e);
                }
                catch (ModelNotReadyException e)
                {
                    return Task.FromException<ILoadedModel>(e);
                }

                slot.State = ModelState.Loading;
                slot.Error = null;
                slot.ErrorCode = null;
                slot.NextAttemptAt = null;
                slot.Load = Task.Run(() => LoadCoreAsync(manifest, slot, evictions, _stopping.Token));
            }

            return slot.Load;
        }
    }

    private async Task<ILoadedModel> LoadCoreAsync(ModelManifest manifest, ModelSlot slot, Task[] evictions, CancellationToken cancellationToken)
    {
        // The models evicted to make room give their memory back before this one takes any.
        await Task.WhenAll(evictions).ConfigureAwait(false);
        LogLoading(manifest.Id);
        ModelLoad load;
        try
        {
            load = await _loaders.For(manifest).LoadAsync(manifest, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                slot.State = ModelState.Failed;
                slot.Error = e.Message;
                slot.ErrorCode = ModelLoadError.Categorize(e);
                slot.FailedAt = _time.GetUtcNow();
            }

            LogLoadFailed(e, manifest.Id);
            throw;
        }

        ModelLoadTimings timings = load.Timings;
        long stamp;
        lock (_gate)
        {
            slot.Model = load.Model;
            slot.Bytes = load.Model.Bytes;
            slot.Timings = timings;
            slot.State = ModelState.Ready;
            slot.HasBeenReady = true;
            stamp = slot.LastUse;
        }

        // Before the load's task completes, so that the keep-alive of the requests waiting for it comes after this one.
        _keepAlive.Loaded(manifest.Id, stamp);
        _loadMetrics?.Record(manifest.Id, timings);
        LogReady(manifest.Id, load.Model.ExecutionProvider, timings.Total.TotalMilliseconds, timings.FilesTier.ToName(),
            timings.Files.TotalMilliseconds, timings.Session.TotalMilliseconds, timings.WarmUp.TotalMilliseconds);
        if (load.FinishAsync is { } finish)
        {
            StartBackground(() => FinishAsync(manifest.Id, finish, slot));
        }

        return load.Model;
    }

    /// <summary>What the load left for after it serves (the snapshot it prepared: commit, then publish).</summary>
    private async Task FinishAsync(string modelId, Func<CancellationToken, Task<PublishOutcome>> finish, ModelSlot slot)
    {
        try
        {
            PublishOutcome outcome = await finish(_stopping.Token).ConfigureAwait(false);
            lock (_gate)
            {
                slot.SnapshotPublish = outcome;
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down: the build directory is gone, the next cold start prepares the snapshot again.
        }
        catch (Exception e)
        {
            // A snapshot is an accelerator: failing to write one never fails the model, which is already serving.
            LogSnapshotFailed(e, modelId);
        }
    }

    private void StartBackground(Func<Task> work) => Track(Task.Run(work));

    private void Track(Task task)
    {
        lock (_background)
        {
            _background.RemoveAll(t => t.IsCompleted);
            _background.Add(task);
        }
    }

    /// <summary>Waits for work that loads and unloads left running in the background (snapshot commits and uploads, statistics).</summary>
    public async Task WhenBackgroundWorkDoneAsync()
    {
        Task pool;
        lock (_background)
        {
            pool = Task.WhenAll(_background);
        }

        await pool.ConfigureAwait(false);
        await _keepAlive.WhenBackgroundWorkDoneAsync().ConfigureAwait(false);
    }

    /// <summary>Drains every model (work already accepted finishes), then releases them; what keep-alive learned is stored first.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        // Not under _gate: cancelling runs the loads' callbacks on this thread.
        await _stopping.CancelAsync().ConfigureAwait(false);

        // Background work logs its own failures; shutting down waits for it, never fails because of it.
        await WhenBackgroundWorkDoneAsync().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        // What this instance learned about the models' idle times outlives it (scale to zero ends it).
        await _keepAlive.DisposeAsync().ConfigureAwait(false);
        foreach (ModelSlot slot in _slots.Values)
        {
            ILoadedModel? model;
            lock (_gate)
            {
                model = slot.Model;
                slot.Model = null;
            }

            if (model is not null)
            {
                await model.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Model {ModelId}: loading")]
    private partial void LogLoading(string modelId);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information,
        Message = "Model {ModelId}: ready on {ExecutionProvider} in {TotalMs:0} ms (files from {Tier} {FilesMs:0} ms, session {SessionMs:0} ms, warm-up {WarmUpMs:0} ms)")]
    private partial void LogReady(string modelId, string executionProvider, double totalMs, string tier, double filesMs, double sessionMs, double warmUpMs);

    [LoggerMessage(EventId = 202, Level = LogLevel.Error, Message = "Model {ModelId}: load failed")]
    private partial void LogLoadFailed(Exception exception, string modelId);

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "Model {ModelId}: unloaded while a request was about to use it; loading it again for that request")]
    private partial void LogReloadAfterUnload(string modelId);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Model {ModelId}: the prepared-model snapshot could not be written; the next cold start prepares it again")]
    private partial void LogSnapshotFailed(Exception exception, string modelId);
}
