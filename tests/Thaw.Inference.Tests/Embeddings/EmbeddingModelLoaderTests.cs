using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Thaw.Inference.Backends;
using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.Embeddings;
using Thaw.Inference.Models;
using Thaw.Inference.Snapshots;
using Thaw.Testing;

namespace Thaw.Inference.Tests.Embeddings;

/// <summary>The embedding loader alone, with a fake backend: phases, warm-up shapes, and what a failure leaves behind.</summary>
public sealed class EmbeddingModelLoaderTests
{
    // Each reading of the clock moves it on: every phase takes a measurable, deterministic time.
    private readonly FakeTimeProvider _time = new() { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };

    [Fact]
    public async Task LoadAsync_OnCpu_WarmsUpOnlyALoneInput()
    {
        // A full batch primes a GPU's kernels and arena; on CPU it only delays readiness.
        var backend = new Backend { Provider = "CPU" };
        EmbeddingModelLoader loader = Create(backend, maxBatchSize: 4);

        ModelLoad load = await loader.LoadAsync(RealModels.LoadCatalog().Get(RealModels.MiniLm));
        await using ILoadedModel model = load.Model;

        Assert.Equal([1], backend.Session!.Batches.Select(b => b.BatchSize));
        Assert.True(load.Timings.Total >= load.Timings.Files + load.Timings.Session + load.Timings.WarmUp);
    }

    [Fact]
    public async Task LoadAsync_FakeBackend_WarmsUpALoneInputAndAFullBatch_AndTimesEachPhase()
    {
        var backend = new Backend();
        EmbeddingModelLoader loader = Create(backend, maxBatchSize: 4);

        ModelLoad load = await loader.LoadAsync(RealModels.LoadCatalog().Get(RealModels.MiniLm));
        await using ILoadedModel model = load.Model;

        Assert.Equal([1, 4], backend.Session!.Batches.Select(b => b.BatchSize));
        Assert.Equal((RealModels.MiniLm, ModelTask.Embedding, "fake"), (model.Id, model.Task, model.ExecutionProvider));
        ModelLoadTimings t = load.Timings;
        Assert.All([t.Files, t.Tokenizer, t.Session, t.WarmUp], phase => Assert.True(phase > TimeSpan.Zero));
        // This backend prepares no snapshot: nothing is left to do once the model serves.
        Assert.Null(load.FinishAsync);
        Assert.Null(t.SnapshotKey);
    }

    [Fact]
    public async Task LoadAsync_WarmUpFails_DisposesTheSessionAndThrows()
    {
        var backend = new Backend { Failing = true };
        EmbeddingModelLoader loader = Create(backend, maxBatchSize: 4);

        await Assert.ThrowsAsync<InvalidOperationException>(() => loader.LoadAsync(RealModels.LoadCatalog().Get(RealModels.MiniLm)));

        Assert.True(backend.Session!.Disposed);
    }

    private EmbeddingModelLoader Create(Backend backend, int maxBatchSize)
    {
        var batching = new BatchingOptions { MaxBatchSize = maxBatchSize };
        return new EmbeddingModelLoader(RealModels.CreateFileCache(), RealModels.CreateSnapshotCache(), backend, Options.Create(batching), _time);
    }

    private sealed class Backend : IEncoderBackend
    {
        public bool Failing { get; init; }

        public string? Provider { get; init; }

        public Session? Session { get; private set; }

        public SnapshotKey? GetSnapshotKey(ModelManifest model) => null;

        public Task<CreatedSession> CreateSessionAsync(ModelManifest model, SessionSource source, CancellationToken cancellationToken = default)
        {
            Session = new Session(new FakeEncoder(model.Dimensions), Failing, Provider);
            return Task.FromResult(new CreatedSession(Session, null));
        }
    }

    private sealed class Session(FakeEncoder inner, bool failing, string? provider) : IEncoderSession
    {
        public List<(int BatchSize, int SequenceLength)> Batches => inner.Batches;

        public bool Disposed { get; private set; }

        public string ExecutionProvider => provider ?? inner.ExecutionProvider;

        public IEncoderOutput Run(EncoderBatch batch, CancellationToken cancellationToken = default) =>
            failing ? throw new InvalidOperationException("the warm-up fails") : inner.Run(batch, cancellationToken);

        public void Dispose() => Disposed = true;
    }
}
