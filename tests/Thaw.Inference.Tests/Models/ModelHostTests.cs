using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Thaw.Inference.Backends;
using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.Embeddings;
using Thaw.Inference.Models;
using Thaw.Inference.Settings;
using Thaw.Inference.Snapshots;
using Thaw.Inference.Tests.Embeddings;
using Thaw.Testing;

namespace Thaw.Inference.Tests.Models;

public sealed class ModelHostTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly GatedBackend _backend = new();
    private readonly ModelHost _host;

    public ModelHostTests()
    {
        ModelsOptions models = RealModels.Models();
        models.LoadWaitTimeout = TimeSpan.FromSeconds(10);
        models.RetryAfter = TimeSpan.FromSeconds(3);
        var loader = new EmbeddingModelLoader(RealModels.CreateFileCache(), RealModels.CreateSnapshotCache(), _backend, Options.Create(new BatchingOptions()), _time);
        _host = new ModelHost(RealModels.LoadCatalog(), [loader], Options.Create(models), _time, NullLogger<ModelHost>.Instance);
    }

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task GetReadyAsync_ConcurrentFirstRequests_ShareOneLoad()
    {
        Task<EmbeddingModel>[] requests = Enumerable.Range(0, 10).Select(_ => _host.GetReadyAsync(RealModels.MiniLm)).ToArray();
        await _backend.Started.Task;
        Assert.Equal(ModelState.Loading, _host.GetStatus(RealModels.MiniLm).State);

        _backend.Release.SetResult();
        EmbeddingModel[] models = await Task.WhenAll(requests);

        Assert.Equal(1, _backend.Sessions);
        Assert.All(models, m => Assert.Same(models[0], m));
        ModelStatus status = _host.GetStatus(RealModels.MiniLm);
        Assert.Equal((ModelState.Ready, "fake"), (status.State, status.ExecutionProvider));
        Assert.NotNull(status.Timings);
    }

    [Fact]
    public async Task GetReadyAsync_LoadSlowerThanTheWait_ThrowsNotReadyWithRetryAfter()
    {
        Task<EmbeddingModel> request = _host.GetReadyAsync(RealModels.MiniLm);
        await _backend.Started.Task;

        _time.Advance(TimeSpan.FromSeconds(10));

        var e = await Assert.ThrowsAsync<ModelNotReadyException>(() => request);
        Assert.Equal((ModelState.Loading, TimeSpan.FromSeconds(3)), (e.State, e.RetryAfter));
        _backend.Release.SetResult();
        await _host.LoadAsync(RealModels.MiniLm);
        Assert.Equal(ModelState.Ready, _host.GetStatus(RealModels.MiniLm).State);
    }

    [Fact]
    public async Task GetReadyAsync_LoadFails_ReportsTheReasonAndRetriesOnlyAfterRetryAfter()
    {
        _backend.Failure = new InvalidOperationException("no GPU today");
        _backend.Release.SetResult();

        var e = await Assert.ThrowsAsync<ModelNotReadyException>(() => _host.GetReadyAsync(RealModels.MiniLm));

        Assert.Equal(ModelState.Failed, e.State);
        Assert.Contains("no GPU today", e.Message, StringComparison.Ordinal);
        Assert.Equal("no GPU today", _host.GetStatus(RealModels.MiniLm).Error);
        await Assert.ThrowsAsync<ModelNotReadyException>(() => _host.GetReadyAsync(RealModels.MiniLm));
        Assert.Equal(1, _backend.Attempts);

        _backend.Failure = null;
        _time.Advance(TimeSpan.FromSeconds(3));
        await _host.GetReadyAsync(RealModels.MiniLm);
        Assert.Equal(2, _backend.Attempts);
    }

    [Fact]
    public async Task GetReadyAsync_UnknownModel_ThrowsNotFound()
    {
        await Assert.ThrowsAsync<ModelNotFoundException>(() => _host.GetReadyAsync("nope"));
        Assert.Equal(ModelState.Cold, _host.GetStatus(RealModels.ArcticXs).State);
    }

    private sealed class GatedBackend : IEncoderBackend
    {
        private int _attempts;

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Exception? Failure { get; set; }

        public int Attempts => _attempts;

        public int Sessions { get; private set; }

        public SnapshotKey? GetSnapshotKey(ModelManifest model) => null;

        public async Task<CreatedSession> CreateSessionAsync(ModelManifest model, SessionSource source, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _attempts);
            Started.TrySetResult();
            await Release.Task;
            if (Failure is { } failure)
            {
                throw failure;
            }

            Sessions++;
            return new CreatedSession(new FakeEncoder(model.Dimensions), null);
        }
    }
}
