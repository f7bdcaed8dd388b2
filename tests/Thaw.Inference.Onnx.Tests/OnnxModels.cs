using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Thaw.Inference.Backends;
using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.Embeddings;
using Thaw.Inference.Sources;
using Thaw.Inference.Tokenization;
using Thaw.Testing;

namespace Thaw.Inference.Onnx.Tests;

/// <summary>Both bundled models loaded once in ONNX Runtime on CPU, shared by the tests of the collection.</summary>
public sealed class OnnxModels : IAsyncLifetime
{
    public EmbeddingModel MiniLm { get; private set; } = null!;

    public EmbeddingModel ArcticXs { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        MiniLm = await LoadAsync(RealModels.MiniLm);
        ArcticXs = await LoadAsync(RealModels.ArcticXs);
    }

    public Task DisposeAsync()
    {
        MiniLm.Dispose();
        ArcticXs.Dispose();
        return Task.CompletedTask;
    }

    internal static async Task<EmbeddingModel> LoadAsync(string modelId, int maxBatchSize = 32)
    {
        ModelManifest manifest = RealModels.LoadCatalog().Get(modelId);
        ModelFiles files = await RealModels.EnsureFilesAsync(modelId);
        var backend = new OnnxEncoderBackend(
            Options.Create(new OnnxOptions { ExecutionProvider = ExecutionProviderPreference.Cpu }), NullLogger<OnnxEncoderBackend>.Instance);
        IEncoderSession session = (await backend.CreateSessionAsync(manifest, new SessionSource(files.ModelPath))).Session;
        return new EmbeddingModel(manifest, EmbeddingTokenizer.Create(files.VocabPath, manifest.Tokenizer), session,
            new BatchingOptions { MaxBatchSize = maxBatchSize, MaxBatchTokens = 1 << 20 }, TimeProvider.System);
    }
}
