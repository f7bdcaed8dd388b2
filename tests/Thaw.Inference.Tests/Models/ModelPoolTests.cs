using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Thaw.Inference.Backends;
using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.Embeddings;
using Thaw.Inference.KeepAlive;
using Thaw.Inference.Models;
using Thaw.Inference.Settings;
using Thaw.Inference.Snapshots;
using Thaw.Inference.Sources;
using Thaw.Inference.Tests.Embeddings;
using Thaw.Testing;

namespace Thaw.Inference.Tests.Models;

/// <summary>
/// The model pool: memory budget and eviction, keep-alive unloads and pre-warms, bounded waits, a model of any kind
/// (no embedding model, from no embedding loader), and the pre-warm's retries with back-off — on a fake clock.
/// </summary>
public sealed class ModelPoolTests : IAsyncDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("thaw-pool-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly CountingBackend _backend = new();
    private readonly FakeLoader _loader = new();
    private readonly List<ModelHost> _hosts = [];
    private readonly CapturingLogger<ModelHost> _log = new();
    private readonly long _modelBytes;

    public ModelPoolTests()
    {
        // The real vocabulary: the warm-up runs of a load tokenize real text.
        string vocab = File.ReadAllText(RealModels.EnsureFilesAsync(RealModels.MiniLm).GetAwaiter().GetResult().VocabPath);
        foreach (string id in (string[])["a", "b", "c"])
        {
            ModelManifest manifest = TestManifests.WritePathModel(Path.Combine(_root, "catalog"), id, new string('w', 1000), vocab);
            _modelBytes = manifest.Files.Sum(f => f.Size);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (ModelHost host in _hosts)
        {
            await host.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task GetReadyAsync_RoundRobinOverThreeModels_BudgetForTwo_EvictsLeastRecentlyUsed_NeverExceedsIt()
    {
        ModelHost pool = Create(budget: (2 * _modelBytes) + (_modelBytes / 2));

        foreach (string id in (string[])["a", "b", "c", "a", "b", "c", "a"])
        {
            await pool.GetReadyAsync(id);
            await pool.WhenBackgroundWorkDoneAsync();
            Assert.True(pool.GetStatuses().Where(s => s.State is ModelState.Ready or ModelState.Loading or ModelState.Unloading).Sum(s => s.Bytes) <= 2.5 * _modelBytes);
        }

        Assert.Equal(2, _backend.MostLive);
        Assert.Equal(7, _backend.Created);
        // The last three uses were b, c, a: b is the least recently used and went first.
        Assert.Equal([ModelState.Ready, ModelState.Cold, ModelState.Ready], pool.GetStatuses().Select(s => s.State));
    }

    [Fact]
    public async Task GetReadyAsync_RecentlyUsedModel_IsNotTheOneEvicted()
    {
        ModelHost pool = Create(budget: (2 * _modelBytes) + (_modelBytes / 2));
        await pool.GetReadyAsync("a");
        await pool.GetReadyAsync("b");
        await pool.GetReadyAsync("a");

        await pool.GetReadyAsync("c");
        await pool.WhenBackgroundWorkDoneAsync();

        Assert.Equal(ModelState.Ready, pool.GetStatus("a").State);
        Assert.Equal(ModelState.Cold, pool.GetStatus("b").State);
    }

    [Fact]
    public async Task GetReadyAsync_BudgetSmallerThanTheModel_FailsNamingTheSetting()
    {
        ModelHost pool = Create(budget: 100);

        var e = await Assert.ThrowsAsync<ModelTooLargeException>(() => pool.GetReadyAsync("a"));

        Assert.Contains("Thaw:Models:MemoryBudgetBytes (100 bytes) is smaller than the model", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, _backend.Created);
    }

    [Fact]
    public async Task GetReadyAsync_DecoderWhoseFilesFitButNotItsKvCache_FailsBeforeLoading()
    {
        // 12 bytes of files and a declared shape whose cache, every slot full, takes 2 × 3 × 2 × 16 × 512 × 8 × 4 bytes.
        System.Text.Json.Nodes.JsonObject decoder = TestManifests.ValidGeneration("g1");
        decoder["generation"] = System.Text.Json.Nodes.JsonNode.Parse("""{ "contextLength": 512, "slots": 8, "eosTokenIds": [2], "layers": 3, "kvHeads": 2, "headDim": 16 }""");
        Directory.CreateDirectory(Path.Combine(_root, "catalog", "g1"));
        File.WriteAllText(Path.Combine(_root, "catalog", "g1", ModelCatalog.ManifestFileName), decoder.ToJsonString());
        ModelHost pool = Create(budget: 1_000_000);

        var e = await Assert.ThrowsAsync<ModelTooLargeException>(() => pool.GetReadyAsync("g1"));

        Assert.Contains($"Thaw:Models:MemoryBudgetBytes (1000000 bytes) is smaller than the model ({12 + (2L * 3 * 2 * 16 * 512 * 8 * 4)} bytes)", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, _backend.Created);
    }

    [Fact]
    public async Task FixedPolicy_ModelIdlePastItsWindow_IsUnloaded_AndTheNextRequestLoadsItAgain()
    {
        ModelHost pool = Create(policy: KeepAlivePolicies.Fixed(new FixedKeepAliveOptions { Window = TimeSpan.FromMinutes(10) }));
        await pool.GetReadyAsync("a");

        _time.Advance(TimeSpan.FromMinutes(9));
        await pool.GetReadyAsync("a");
        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(ModelState.Ready, pool.GetStatus("a").State);
        _time.Advance(TimeSpan.FromMinutes(2));
        await pool.WhenBackgroundWorkDoneAsync();

        Assert.Equal(ModelState.Cold, pool.GetStatus("a").State);
        Assert.True(pool.GetStatus("a").HasBeenReady);
        Assert.Equal(0, _backend.Live);
        await pool.GetReadyAsync("a");
        Assert.Equal(2, _backend.Created);
    }

    [Fact]
    public async Task EmbedAsync_ModelUnloadedSinceALookup_LoadsItAgainInsteadOfFailing()
    {
        ModelHost pool = Create(policy: KeepAlivePolicies.Fixed(new FixedKeepAliveOptions { Window = TimeSpan.FromMinutes(10) }));
        Inference.Embeddings.EmbeddingModel stale = await pool.GetReadyAsync("a");
        _time.Advance(TimeSpan.FromMinutes(11));
        await pool.WhenBackgroundWorkDoneAsync();

        await Assert.ThrowsAsync<BatcherClosedException>(() => stale.EmbedAsync(["thaw"]));
        Inference.Embeddings.EmbeddingResult result = await pool.EmbedAsync("a", ["thaw"], default, default);

        Assert.Single(result.Vectors);
        Assert.Equal(2, _backend.Created);
    }

    [Fact]
    public async Task HistogramPolicy_PeriodicRequests_UnloadsAfterEach_AndIsReadyAgainBeforeTheNext()
    {
        ModelHost pool = Create(policy: KeepAlivePolicies.Histogram(new HistogramKeepAliveOptions()));
        // Learn: a request every 30 minutes (until the histogram has enough samples, a 10-minute fallback window).
        for (int i = 0; i < 12; i++)
        {
            await pool.GetReadyAsync("a");
            _time.Advance(TimeSpan.FromMinutes(30));
            await pool.WhenBackgroundWorkDoneAsync();
        }

        await pool.GetReadyAsync("a");
        int loads = _backend.Created;
        _time.Advance(TimeSpan.FromMinutes(1));
        await pool.WhenBackgroundWorkDoneAsync();
        Assert.Equal(ModelState.Cold, pool.GetStatus("a").State);

        _time.Advance(TimeSpan.FromMinutes(28));
        await pool.WhenBackgroundWorkDoneAsync();
        // The pre-warm load runs on the thread pool once the timer fired: wait for its outcome, not for time.
        await Eventually.WaitUntilAsync(() => pool.GetStatus("a").State == ModelState.Ready);

        Assert.Equal(loads + 1, _backend.Created);
    }

    [Fact]
    public async Task Statistics_MergedIntoTheStoreOnDispose_SurviveARestart()
    {
        var store = new LocalIdleStatisticsStore(Path.Combine(_root, "stats"), NullLogger<LocalIdleStatisticsStore>.Instance);
        IKeepAlivePolicy policy = KeepAlivePolicies.Fixed(new FixedKeepAliveOptions());
        ModelHost first = Create(policy: policy, store: store);
        for (int i = 0; i < 4; i++)
        {
            await first.GetReadyAsync("a");
            _time.Advance(TimeSpan.FromMinutes(3));
        }

        await first.DisposeAsync();

        IdleTimeHistogram stored = (await store.LoadAsync("a"))!;
        Assert.Equal(3, stored.Total);
        Assert.Equal(3, stored[3]);
    }

    [Fact]
    public async Task Statistics_BatchJobLines_KeepTheModelInUseButAreNotIdleTimeSamples()
    {
        var store = new LocalIdleStatisticsStore(Path.Combine(_root, "stats"), NullLogger<LocalIdleStatisticsStore>.Instance);
        ModelHost pool = Create(policy: KeepAlivePolicies.Fixed(new FixedKeepAliveOptions()), store: store);
        await pool.EmbedAsync("a", ["request"], default, BatchProfileKind.Interactive);
        for (int i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            // A bulk batch waits (on the fake clock) to fill: move the clock until the lone line has been served.
            Task line = pool.EmbedAsync("a", ["batch line"], default, BatchProfileKind.Bulk);
            for (int tick = 0; tick < 1000 && !line.IsCompleted; tick++)
            {
                _time.Advance(TimeSpan.FromMilliseconds(100));
                await Task.WhenAny(line, Task.Delay(TimeSpan.FromMilliseconds(5)));
            }

            await line;
        }

        _time.Advance(TimeSpan.FromMinutes(1));
        await pool.EmbedAsync("a", ["request"], default, BatchProfileKind.Interactive);
        await pool.DisposeAsync();

        IdleTimeHistogram stored = (await store.LoadAsync("a"))!;
        Assert.Equal(1, stored.Total);
        Assert.Equal(1, stored[6]);
    }

    [Theory]
    [InlineData(28, true)]
    [InlineData(10, false)]
    [InlineData(45, false)]
    public async Task PrewarmDueAsync_FromStoredStatistics_LoadsOnlyWhenARequestIsPredictedSoon(int minutesSinceLastRequest, bool expected)
    {
        var store = new LocalIdleStatisticsStore(Path.Combine(_root, "stats"), NullLogger<LocalIdleStatisticsStore>.Instance);
        // What earlier instances learned: a request every 30 minutes, the last one some minutes ago.
        IdleTimeHistogram learned = IdleTimeHistogram.Create(new HistogramKeepAliveOptions());
        learned.Add(TimeSpan.FromMinutes(30), 20);
        learned.LastArrival = _time.GetUtcNow() - TimeSpan.FromMinutes(minutesSinceLastRequest);
        await store.MergeAsync("a", learned);
        ModelHost fresh = Create(policy: KeepAlivePolicies.Histogram(new HistogramKeepAliveOptions()), store: store);

        IReadOnlyList<string> started = await fresh.PrewarmDueAsync();

        Assert.Equal(expected ? ["a"] : [], started);
        if (expected)
        {
            await fresh.LoadAsync("a");
            Assert.Equal(ModelState.Ready, fresh.GetStatus("a").State);
        }
    }

    [Fact]
    public async Task GetReadyAsync_TooManyWaitingForALoad_AnswersNotReadyAtOnce()
    {
        _backend.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ModelHost pool = Create(maxWaiting: 2);
        Task<Inference.Embeddings.EmbeddingModel>[] waiting = [pool.GetReadyAsync("a"), pool.GetReadyAsync("a")];

        var e = await Assert.ThrowsAsync<ModelNotReadyException>(() => pool.GetReadyAsync("a"));

        Assert.Contains("is not ready yet: 2 requests are already waiting", e.Message, StringComparison.Ordinal);
        _backend.Gate.SetResult();
        await Task.WhenAll(waiting);
        Assert.Equal(1, _backend.Created);
    }

    [Fact]
    public async Task AcquireAsync_ModelOfAnotherKind_IsBudgetedEvictedAndReportedLikeAnyOther()
    {
        ModelHost pool = CreateWith(_loader, budget: _modelBytes + (_modelBytes / 2));

        FakeModel a = await pool.AcquireAsync<FakeModel>("a");
        await pool.AcquireAsync<FakeModel>("b");
        await pool.WhenBackgroundWorkDoneAsync();

        Assert.True(a.Disposed);
        Assert.Equal((ModelState.Cold, ModelState.Ready), (pool.GetStatus("a").State, pool.GetStatus("b").State));
        ModelStatus b = pool.GetStatus("b");
        Assert.Equal(("fake-provider", _modelBytes, 7L), (b.ExecutionProvider, b.Bytes, ((EmbeddingActivity)b.Activity!).Interactive.Inputs));
    }

    [Fact]
    public async Task AcquireAsync_AskedForAnotherType_ThrowsNamingBoth()
    {
        ModelHost pool = CreateWith(_loader);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => pool.AcquireAsync<EmbeddingModel>("a"));

        Assert.Contains("'a' is a Embedding model (FakeModel), not a EmbeddingModel", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prewarm_LoadFails_RetriesWithDoublingBackOffUpToTheCap_ReportingTheNextAttempt()
    {
        _loader.Failures = 3;
        ModelHost pool = CreateWith(_loader);
        DateTimeOffset start = _time.GetUtcNow();

        pool.Prewarm("a");

        // Attempt 1 fails at once; the waits are 2 s, 4 s, then the 5 s cap.
        await WaitForNextAttemptAsync(pool, start + TimeSpan.FromSeconds(2));
        Assert.Equal((ModelState.Failed, "load_failed"), (pool.GetStatus("a").State, pool.GetStatus("a").ErrorCode));
        _time.Advance(TimeSpan.FromSeconds(2));
        await WaitForNextAttemptAsync(pool, start + TimeSpan.FromSeconds(6));
        _time.Advance(TimeSpan.FromSeconds(4));
        await WaitForNextAttemptAsync(pool, start + TimeSpan.FromSeconds(11));
        Assert.Equal(3, _loader.Attempts);
        _time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(3, _loader.Attempts);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.WaitUntilAsync(() => pool.GetStatus("a").State == ModelState.Ready);

        Assert.Equal(4, _loader.Attempts);
        Assert.Null(pool.GetStatus("a").NextAttemptAt);
    }

    [Fact]
    public async Task Prewarm_ModelLargerThanTheBudget_SaysSoOnceAndNeverRetries()
    {
        ModelHost pool = Create(budget: 100);

        pool.Prewarm("a");

        await Eventually.WaitUntilAsync(() => _log.Entries.Any(e => e.Message.Contains("not pre-warmed, and not retried", StringComparison.Ordinal)));
        (LogLevel level, string message) = Assert.Single(_log.Entries, e => e.Message.Contains("not pre-warmed", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, level);
        Assert.Contains("Thaw:Models:MemoryBudgetBytes (100 bytes)", message, StringComparison.Ordinal);
        // Where a failed load waits 2 s for its next attempt, this one has none.
        Assert.Null(pool.GetStatus("a").NextAttemptAt);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.DoesNotContain(_log.Entries, e => e.Message.Contains("trying again", StringComparison.Ordinal));
        Assert.Equal(0, _backend.Created);
    }

    private static Task WaitForNextAttemptAsync(ModelHost pool, DateTimeOffset expected) =>
        Eventually.WaitUntilAsync(() => pool.GetStatus("a") is { State: ModelState.Failed, NextAttemptAt: { } next } && next == expected);

    private ModelHost Create(long budget = 0, IKeepAlivePolicy? policy = null, IIdleStatisticsStore? store = null, int maxWaiting = 256) =>
        CreateWith(null, budget, policy, store, maxWaiting);

    /// <summary>A pool over the a/b/c catalog; without a loader, the embedding loader over the counting backend.</summary>
    private ModelHost CreateWith(IModelLoader? loader, long budget = 0, IKeepAlivePolicy? policy = null, IIdleStatisticsStore? store = null, int maxWaiting = 256)
    {
        var models = new ModelsOptions
        {
            CatalogDirectory = Path.Combine(_root, "catalog"),
            Default = "a",
            Prewarm = ["none"],
            MemoryBudgetBytes = budget,
            MaxWaitingRequests = maxWaiting,
            PrewarmRetryDelay = TimeSpan.FromSeconds(2),
            PrewarmRetryMaxDelay = TimeSpan.FromSeconds(5),
        };
        IOptions<CacheOptions> cache = Options.Create(new CacheOptions { CacheDirectory = Path.Combine(_root, "cache") });
        loader ??= new EmbeddingModelLoader(
            new ModelFileCache([new LocalPathModelSource()], cache, NullLogger<ModelFileCache>.Instance),
            new SnapshotCache(cache, _time, NullLogger<SnapshotCache>.Instance),
            _backend,
            Options.Create(new BatchingOptions { MaxBatchSize = 1 }),
            _time);
        var pool = new ModelHost(
            ModelCatalog.Load(models.CatalogDirectory, "a"),
            [loader],
            Options.Create(models),
            _time,
            _log,
            keepAlivePolicy: policy,
            idleStatistics: store,
            keepAliveOptions: Options.Create(new KeepAliveOptions()));
        _hosts.Add(pool);
        return pool;
    }

    /// <summary>Loads <see cref="FakeModel"/>s; the first <see cref="Failures"/> attempts fail.</summary>
    private sealed class FakeLoader : IModelLoader
    {
        private int _attempts;

        public int Failures { get; set; }

        public int Attempts => Volatile.Read(ref _attempts);

        public ModelTask Task => ModelTask.Embedding;

        public Task<ModelLoad> LoadAsync(ModelManifest manifest, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _attempts) <= Failures)
            {
                throw new InvalidOperationException("the fake load fails");
            }

            var model = new FakeModel(manifest.Id, manifest.Files.Sum(f => f.Size));
            return System.Threading.Tasks.Task.FromResult(new ModelLoad(model, new ModelLoadTimings(default, default, default, default, default, default, default, 0, 0, null)));
        }
    }

    /// <summary>A loaded model that is not an embedding model: the pool must not care.</summary>
    private sealed class FakeModel(string id, long bytes) : ILoadedModel
    {
        public string Id => id;

        public ModelTask Task => ModelTask.Embedding;

        public long Bytes => bytes;

        public string ExecutionProvider => "fake-provider";

        public bool IsBusy => false;

        public bool Disposed { get; private set; }

        public ModelActivity GetActivity() => new EmbeddingActivity(new(1, 7, 0, 0, 0), new(0, 0, 0, 0, 0));

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Sessions that count themselves, so that a test sees how many are alive at once.</summary>
    private sealed class CountingBackend : IEncoderBackend
    {
        private int _live;
        private int _created;
        private int _mostLive;

        public TaskCompletionSource? Gate { get; set; }

        public int Live => Volatile.Read(ref _live);

        public int Created => Volatile.Read(ref _created);

        public int MostLive => Volatile.Read(ref _mostLive);

        public SnapshotKey? GetSnapshotKey(ModelManifest model) => null;

        public async Task<CreatedSession> CreateSessionAsync(ModelManifest model, SessionSource source, CancellationToken cancellationToken = default)
        {
            if (Gate is { } gate)
            {
                await gate.Task;
            }

            Interlocked.Increment(ref _created);
            int live = Interlocked.Increment(ref _live);
            int most;
            do
            {
                most = Volatile.Read(ref _mostLive);
            }
            while (live > most && Interlocked.CompareExchange(ref _mostLive, live, most) != most);

            return new CreatedSession(new Session(new FakeEncoder(model.Dimensions), () => Interlocked.Decrement(ref _live)), null);
        }

        private sealed class Session(FakeEncoder inner, Action disposed) : IEncoderSession
        {
            public string ExecutionProvider => inner.ExecutionProvider;

            public IEncoderOutput Run(EncoderBatch batch, CancellationToken cancellationToken = default) => inner.Run(batch, cancellationToken);

            public void Dispose() => disposed();
        }
    }
}
