using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Inference.Backends;
using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.Embeddings;
using Thaw.Inference.Hosting;
using Thaw.Inference.KeepAlive;
using Thaw.Inference.Snapshots;
using Thaw.Inference.Sources;
using Thaw.Inference.Tokenization;

namespace Thaw.Inference.Models;

/// <summary>
/// The pool of models live on this instance. Loads are single-flight (concurrent first requests share one load), run
/// in the background so they never block the host, and are timed phase by phase. A request waits a bounded time for
/// its model — and only so many wait — then gets <see cref="ModelNotReadyException"/> (503 + Retry-After). Models
/// share a memory budget, least recently used evicted first, and a keep-alive policy unloads idle ones and loads
/// them again ahead of their predicted next request (see ModelHost.Pool.cs).
/// </summary>
public sealed partial class ModelHost : IAsyncDisposable, IDisposable
{
    private readonly ModelFileCache _files;
    private readonly SnapshotCache _snapshots;
    private readonly IEncoderBackend _backend;
    private readonly ThawOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelHost> _logger;
    private readonly BatchingMetrics? _metrics;
    private readonly ModelLoadMetrics? _loadMetrics;
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _background = [];
    private readonly Lock _gate = new();
    private readonly IKeepAlivePolicy? _policy;
    private readonly IIdleStatisticsStore? _idleStatistics;
    private readonly HistogramKeepAliveOptions _histogramShape;
    private long _uses;

    public ModelHost(
        ModelCatalog catalog,
        ModelFileCache files,
        SnapshotCache snapshots,
        IEncoderBackend backend,
        IOptions<ThawOptions> options,
        TimeProvider timeProvider,
        ILogger<ModelHost> logger,
        BatchingMetrics? metrics = null,
        ModelLoadMetrics? loadMetrics = null,
        IKeepAlivePolicy? keepAlivePolicy = null,
        IIdleStatisticsStore? idleStatistics = null,
        IOptions<KeepAliveOptions>? keepAliveOptions = null)
    {
        _policy = keepAlivePolicy;
        _idleStatistics = idleStatistics;
        _histogramShape = keepAliveOptions?.Value.Histogram ?? new HistogramKeepAliveOptions();
        _metrics = metrics;
        _loadMetrics = loadMetrics;
        Catalog = catalog;
        _files = files;
        _snapshots = snapshots;
        _backend = backend;
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
    }

    public ModelCatalog Catalog { get; }

    public IReadOnlyList<ModelStatus> GetStatuses() =>
        Catalog.Models.OrderBy(m => m.Id, StringComparer.Ordinal).Select(m => GetStatus(m.Id)).ToList();

    public ModelStatus GetStatus(string modelId)
    {
        if (!_slots.TryGetValue(modelId, out Slot? slot))
        {
            return new ModelStatus(modelId, ModelState.Cold, null, null, null);
        }

        lock (_gate)
        {
            return new ModelStatus(modelId, slot.State, slot.Error, slot.Model?.Session.ExecutionProvider, slot.Timings,
                slot.Model?.GetStatistics(BatchProfileKind.Interactive), slot.Model?.GetStatistics(BatchProfileKind.Bulk), slot.SnapshotPublish,
                slot.HasBeenReady, slot.Bytes, slot.ErrorCode);
        }
    }

    /// <summary>Starts loading the model unless it is loaded or loading; returns the (shared) load.</summary>
    /// <exception cref="ModelNotFoundException">The catalog has no such model.</exception>
    /// <remarks>A load that does not fit the memory budget next to the models that cannot be evicted (they are loading) fails with <see cref="ModelNotReadyException"/>.</remarks>
    public Task<EmbeddingModel> LoadAsync(string modelId)
    {
        ModelManifest manifest = Catalog.Get(modelId);
        Slot slot = _slots.GetOrAdd(modelId, _ => new Slot(modelId, manifest.Files.Sum(f => f.Size)));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            if (slot.Load is null || slot.State == ModelState.Failed && _time.GetUtcNow() - slot.FailedAt >= _options.Models.RetryAfter)
            {
                Task[] evictions;
                try
                {
                    evictions = MakeRoom(slot);
                }
                catch (ModelNotReadyException e)
                {
                    return Task.FromException<EmbeddingModel>(e);
                }

                slot.State = ModelState.Loading;
                slot.Error = null;
                slot.ErrorCode = null;
                slot.Load = Task.Run(() => LoadCoreAsync(manifest, slot, evictions, _stopping.Token));
            }

            return slot.Load;
        }
    }

    /// <summary>Returns the model once ready, waiting at most <see cref="ModelsOptions.LoadWaitTimeout"/> for a load.</summary>
    /// <exception cref="ModelNotFoundException">The catalog has no such model.</exception>
    /// <exception cref="ModelNotReadyException">The model is still loading, or failed to load.</exception>
    /// <remarks>Each call counts as a request to the model: it feeds the model's idle-time statistics and keep-alive.</remarks>
    public Task<EmbeddingModel> GetReadyAsync(string modelId, CancellationToken cancellationToken = default) =>
        GetReadyCoreAsync(modelId, isRequest: true, cancellationToken);

    private async Task<EmbeddingModel> GetReadyCoreAsync(string modelId, bool isRequest, CancellationToken cancellationToken)
    {
        Task<EmbeddingModel> load = LoadAsync(modelId);
        Slot slot = _slots[modelId];
        Used(slot, isRequest);
        if (load.IsCompletedSuccessfully)
        {
            KeepAlive(slot);
            return load.Result;
        }

        lock (_gate)
        {
            if (slot.Waiting >= _options.Models.MaxWaitingRequests)
            {
                throw new ModelNotReadyException(modelId, ModelState.Loading, _options.Models.RetryAfter,
                    $"{slot.Waiting} requests are already waiting for it to load (Thaw:Models:MaxWaitingRequests); retry after {_options.Models.RetryAfter.TotalSeconds:0} s.");
            }

            slot.Waiting++;
        }

        try
        {
            EmbeddingModel model = await load.WaitAsync(_options.Models.LoadWaitTimeout, _time, cancellationToken).ConfigureAwait(false);
            KeepAlive(slot);
            return model;
        }
        catch (TimeoutException)
        {
            throw new ModelNotReadyException(modelId, ModelState.Loading, _options.Models.RetryAfter);
        }
        catch (ModelNotReadyException)
        {
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new ModelNotReadyException(modelId, ModelState.Failed, _options.Models.RetryAfter, e.Message, e);
        }
        finally
        {
            lock (_gate)
            {
                slot.Waiting--;
            }
        }
    }

    /// <summary>
    /// Embeds with the model once ready (waiting as <see cref="GetReadyAsync"/> does). A model unloaded between the
    /// lookup and the submit (idle past its keep-alive, or evicted) is loaded again once, so the caller never sees
    /// the pool's unload as an error.
    /// </summary>
    /// <exception cref="ModelNotFoundException">The catalog has no such model.</exception>
    /// <exception cref="ModelNotReadyException">The model is still loading, or failed to load.</exception>
    /// <exception cref="OverloadedException">The model's queue is full.</exception>
    /// <exception cref="BatcherClosedException">This host is shutting down.</exception>
    public async Task<EmbeddingResult> EmbedAsync(
        string modelId, IReadOnlyList<string> inputs, EmbeddingInputType inputType, BatchProfileKind profile, CancellationToken cancellationToken = default)
    {
        for (int attempt = 0; ; attempt++)
        {
            // A bulk (batch job) line keeps the model alive but is not a request of its own to learn idle times from.
            EmbeddingModel model = await GetReadyCoreAsync(modelId, profile == BatchProfileKind.Interactive, cancellationToken).ConfigureAwait(false);
            try
            {
                return await model.EmbedAsync(inputs, inputType, profile, cancellationToken).ConfigureAwait(false);
            }
            catch (BatcherClosedException) when (attempt == 0 && !_stopping.IsCancellationRequested)
            {
                LogReloadAfterUnload(modelId);
            }
        }
    }

    private async Task<EmbeddingModel> LoadCoreAsync(ModelManifest manifest, Slot slot, Task[] evictions, CancellationToken cancellationToken)
    {
        // The models evicted to make room give their memory back before this one takes any.
        await Task.WhenAll(evictions).ConfigureAwait(false);
        LogLoading(manifest.Id);
        DateTimeOffset startedAt = _time.GetUtcNow();
        long started = _time.GetTimestamp();
        IEncoderSession? session = null;
        string? staging = null;
        try
        {
            // Tiers, fastest first: a prepared snapshot on local disk, then in the store; on a miss the source files
            // (local disk, store, origin), from which this load prepares the snapshot while creating its session.
            SnapshotKey? key = _backend.GetSnapshotKey(manifest);
            long keyDone = _time.GetTimestamp();
            SnapshotLookup? lookup = key is null ? null : await _snapshots.FindAsync(key, manifest, cancellationToken: cancellationToken).ConfigureAwait(false);
            LocalSnapshot? snapshot = lookup?.Snapshot;
            ModelFiles? files = snapshot is null ? await _files.EnsureAsync(manifest, cancellationToken: cancellationToken).ConfigureAwait(false) : null;
            long filesDone = _time.GetTimestamp();
            var tokenizer = EmbeddingTokenizer.Create(snapshot?.VocabPath ?? files!.VocabPath, manifest.Tokenizer);
            long tokenizerDone = _time.GetTimestamp();
            staging = snapshot is null && key is not null ? _snapshots.BeginBuild(key) : null;
            SessionSource source = snapshot is not null ? new SessionSource(snapshot.ModelPath, Prepared: true) : new SessionSource(files!.ModelPath, SnapshotDirectory: staging);
            CreatedSession created = await _backend.CreateSessionAsync(manifest, source, cancellationToken).ConfigureAwait(false);
            session = created.Session;
            long sessionDone = _time.GetTimestamp();
            var model = new EmbeddingModel(manifest, tokenizer, session, _options.Batching, _time, _metrics);
            // Warm up the shapes the model will serve: a lone input and a full interactive batch (on a GPU this
            // primes kernels and grows the arena before the first real batch instead of during it).
            model.Embed(["Thaw warm-up run."], cancellationToken: cancellationToken);
            if (_options.Batching.MaxBatchSize > 1)
            {
                model.Embed(Enumerable.Repeat("Thaw warm-up run for a full batch.", _options.Batching.MaxBatchSize).ToArray(), cancellationToken: cancellationToken);
            }

            long warmedUp = _time.GetTimestamp();

            var timings = new ModelLoadTimings(
                startedAt,
                _time.GetElapsedTime(keyDone, filesDone),
                _time.GetElapsedTime(filesDone, tokenizerDone),
                // The snapshot key asks the runtime its version and probes the provider: runtime initialization.
                _time.GetElapsedTime(started, keyDone) + _time.GetElapsedTime(tokenizerDone, sessionDone),
                _time.GetElapsedTime(sessionDone, warmedUp),
                snapshot is not null ? lookup!.Tier : files!.Tier,
                (lookup?.BytesFetched ?? 0) + (files?.BytesFetched ?? 0),
                (lookup?.BytesVerified ?? 0) + (files?.BytesVerified ?? 0),
                lookup?.StoreProblem ?? files?.SnapshotStoreProblem,
                key?.Id,
                SnapshotBuilt: staging is not null && created.PreparedModelFile is not null);
            lock (_gate)
            {
                slot.Model = model;
                slot.Timings = timings;
                slot.State = ModelState.Ready;
                slot.HasBeenReady = true;
                slot.LoadDuration = timings.Total;
                ScheduleAfterLoad(slot);
            }

            if (slot.KnownIdleTimes is null && _idleStatistics is not null)
            {
                StartBackground(() => ReadIdleStatisticsAsync(slot));
            }

            _loadMetrics?.Record(manifest.Id, timings);
            LogReady(manifest.Id, session.ExecutionProvider, timings.Total.TotalMilliseconds, timings.FilesTier.ToName(),
                timings.Files.TotalMilliseconds, timings.Session.TotalMilliseconds, timings.WarmUp.TotalMilliseconds);
            if (staging is not null)
            {
                // Hashing and uploading the new snapshot would only delay this load: do it once the model serves.
                string build = staging;
                staging = null;
                StartBackground(() => CompleteSnapshotAsync(key!, build, created.PreparedModelFile, files!.VocabPath, timings.Session, slot));
            }

            return model;
        }
        catch (Exception e)
        {
            session?.Dispose();
            if (staging is not null)
            {
                SnapshotCache.Abandon(staging);
            }

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
    }

    /// <summary>Commits the snapshot a load prepared to local disk, then publishes it to the store.</summary>
    private async Task CompleteSnapshotAsync(SnapshotKey key, string staging, string? modelFile, string vocabPath, TimeSpan buildTime, Slot slot)
    {
        if (modelFile is null)
        {
            SnapshotCache.Abandon(staging);
            return;
        }

        try
        {
            LocalSnapshot snapshot = await _snapshots.CommitAsync(key, staging, modelFile, vocabPath, buildTime, _stopping.Token).ConfigureAwait(false);
            PublishOutcome outcome = await _snapshots.PublishAsync(snapshot, cancellationToken: _stopping.Token).ConfigureAwait(false);
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
            LogSnapshotFailed(e, key.ModelId);
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

    /// <summary>Waits for work that loads left running in the background (snapshot commits and uploads).</summary>
    public Task WhenBackgroundWorkDoneAsync()
    {
        lock (_background)
        {
            return Task.WhenAll(_background);
        }
    }

    /// <summary>Drains every model's batchers (work already accepted finishes), then releases the sessions.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        // Background work logs its own failures; shutting down waits for it, never fails because of it.
        await WhenBackgroundWorkDoneAsync().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (Slot slot in _slots.Values)
        {
            EmbeddingModel? model;
            lock (_gate)
            {
                model = slot.Model;
                slot.Model = null;
                slot.StopTimers();
            }

            // What this instance learned about the model's idle times outlives it (scale to zero ends it).
            await FlushIdleStatisticsAsync(slot).ConfigureAwait(false);

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

    private sealed class Slot(string id, long bytes)
    {
        public string Id { get; } = id;

        /// <summary>What the model takes from the memory budget: its files' sizes (the weights dominate).</summary>
        public long Bytes { get; } = bytes;

        public Task<EmbeddingModel>? Load { get; set; }

        public ModelState State { get; set; } = ModelState.Cold;

        public string? Error { get; set; }

        public string? ErrorCode { get; set; }

        public DateTimeOffset FailedAt { get; set; }

        public ModelLoadTimings? Timings { get; set; }

        public EmbeddingModel? Model { get; set; }

        public PublishOutcome? SnapshotPublish { get; set; }

        public bool HasBeenReady { get; set; }

        public TimeSpan LoadDuration { get; set; }

        /// <summary>Requests waiting for the load.</summary>
        public int Waiting { get; set; }

        /// <summary>Order of last use, for least-recently-used eviction (a counter: clocks tie).</summary>
        public long LastUse { get; set; }

        /// <summary>Bumped by each request: a keep-alive timer armed before the latest request does nothing.</summary>
        public long Generation { get; set; }

        public DateTimeOffset? LastArrival { get; set; }

        /// <summary>Idle times seen here and not yet merged into the store.</summary>
        public IdleTimeHistogram? PendingIdleTimes { get; set; }

        /// <summary>The stored histogram plus what this instance saw since (null until read).</summary>
        public IdleTimeHistogram? KnownIdleTimes { get; set; }

        /// <summary>The policy's decision for the statistics as they stand (null after they changed).</summary>
        public KeepAliveDecision? Decision { get; set; }

        public Task? Unloading { get; set; }

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
}
