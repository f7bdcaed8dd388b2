using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.Embeddings;
using Thaw.Inference.Hosting;
using Thaw.Inference.Models;
using Thaw.Testing;

namespace Thaw.Inference.Tests.Models;

/// <summary>
/// The pool with a model that is no embedding model, from a loader that is no embedding loader: what it does for a
/// model of any task (budget, eviction, status) and the pre-warm's retries with back-off, on a fake clock.
/// </summary>
public sealed class AnyModelPoolTests : IAsyncDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("thaw-any-pool-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLoader _loader = new();
    private readonly List<ModelHost> _pools = [];
    private readonly long _modelBytes;

    public AnyModelPoolTests()
    {
        foreach (string id in (string[])["a", "b"])
        {
            _modelBytes = TestManifests.WritePathModel(Path.Combine(_root, "catalog"), id, new string('w', 1000), "[PAD]\n").Files.Sum(f => f.Size);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (ModelHost pool in _pools)
        {
            await pool.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task AcquireAsync_ModelOfAnotherKind_IsBudgetedEvictedAndReportedLikeAnyOther()
    {
        ModelHost pool = Create(budget: _modelBytes + (_modelBytes / 2));

        FakeModel a = await pool.AcquireAsync<FakeModel>("a");
        await pool.AcquireAsync<FakeModel>("b");
        await pool.WhenBackgroundWorkDoneAsync();

        Assert.True(a.Disposed);
        Assert.Equal((ModelState.Cold, ModelState.Ready), (pool.GetStatus("a").State, pool.GetStatus("b").State));
        ModelStatus b = pool.GetStatus("b");
        Assert.Equal(("fake-provider", _modelBytes, 7L), (b.ExecutionProvider, b.Bytes, b.Interactive!.Inputs));
    }

    [Fact]
    public async Task AcquireAsync_AskedForAnotherType_ThrowsNamingBoth()
    {
        ModelHost pool = Create();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => pool.AcquireAsync<EmbeddingModel>("a"));

        Assert.Contains("'a' is a Embedding model (FakeModel), not a EmbeddingModel", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prewarm_LoadFails_RetriesWithDoublingBackOffUpToTheCap_ReportingTheNextAttempt()
    {
        _loader.Failures = 3;
        ModelHost pool = Create();
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

    private static Task WaitForNextAttemptAsync(ModelHost pool, DateTimeOffset expected) =>
        Eventually.WaitUntilAsync(() => pool.GetStatus("a") is { State: ModelState.Failed, NextAttemptAt: { } next } && next == expected);

    private ModelHost Create(long budget = 0)
    {
        var options = new ThawOptions
        {
            CacheDirectory = Path.Combine(_root, "cache"),
            Models = new ModelsOptions
            {
                CatalogDirectory = Path.Combine(_root, "catalog"),
                Default = "a",
                MemoryBudgetBytes = budget,
                RetryAfter = TimeSpan.FromSeconds(1),
                PrewarmRetryDelay = TimeSpan.FromSeconds(2),
                PrewarmRetryMaxDelay = TimeSpan.FromSeconds(5),
            },
        };
        var pool = new ModelHost(ModelCatalog.Load(options.Models.CatalogDirectory, "a"), [_loader], Options.Create(options), _time, NullLogger<ModelHost>.Instance);
        _pools.Add(pool);
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
            return System.Threading.Tasks.Task.FromResult(new ModelLoad(model, new ModelLoadTimings(default, default, default, default, default, default, 0, 0, null)));
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

        public BatchStatistics? GetStatistics(BatchProfileKind profile) => new(1, 7, 0, 0, 0);

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
