using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Thaw.Inference.Backends;
using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.Embeddings;
using Thaw.Inference.Settings;
using Thaw.Inference.Snapshots;
using Thaw.Inference.Sources;
using Thaw.Inference.Tokenization;
using Thaw.Testing;

namespace Thaw.Inference.Onnx.Tests;

/// <summary>The prepared model a snapshot holds: written while optimizing, then loaded without optimization.</summary>
[Collection(OnnxModelsCollection.Name)]
public sealed class PreparedModelTests(OnnxModels models) : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("thaw-prepared-").FullName;
    private readonly OnnxEncoderBackend _backend = new(
        Options.Create(new OnnxOptions { ExecutionProvider = ExecutionProviderPreference.Cpu }), NullLogger<OnnxEncoderBackend>.Instance);

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    [Theory]
    [InlineData(RealModels.MiniLm)]
    [InlineData(RealModels.ArcticXs)]
    public async Task CreateSessionAsync_FromThePreparedModel_EmbedsLikeTheSourceModel(string modelId)
    {
        ModelManifest manifest = RealModels.LoadCatalog().Get(modelId);
        ModelFiles files = await RealModels.EnsureFilesAsync(modelId);
        SnapshotCache snapshots = RealModels.CreateSnapshotCache(new CacheOptions { CacheDirectory = _cache });
        SnapshotKey key = _backend.GetSnapshotKey(manifest)!;
        string staging = snapshots.BeginBuild(key);

        CreatedSession built = await _backend.CreateSessionAsync(manifest, new SessionSource(files.ModelPath, SnapshotDirectory: staging));
        built.Session.Dispose();
        LocalSnapshot snapshot = await snapshots.CommitAsync(key, staging, built.PreparedModelFile!, files.VocabPath, TimeSpan.FromSeconds(1));
        CreatedSession prepared = await _backend.CreateSessionAsync(manifest, new SessionSource(snapshot.ModelPath, Prepared: true));

        // The weights live beside the graph, as external data that ONNX Runtime maps.
        Assert.Contains(snapshot.Manifest.Files, f => f.Name == OnnxEncoderBackend.PreparedWeightsFile && f.Size > 20_000_000);
        Assert.True(snapshot.Manifest.Files.Single(f => f.Name == OnnxEncoderBackend.PreparedModelFile).Size < 1_000_000);
        await using var fromSnapshot = new EmbeddingModel(manifest, EmbeddingTokenizer.Create(snapshot.VocabPath, manifest.Tokenizer), prepared.Session,
            new BatchingOptions(), TimeProvider.System);
        EmbeddingModel fromSource = modelId == RealModels.MiniLm ? models.MiniLm : models.ArcticXs;
        string[] texts = ["The cat sits outside", "A man is playing guitar in the rain, and nobody listens.", "Café naïve $5"];
        float[][] expected = fromSource.Embed(texts).Vectors;
        float[][] actual = fromSnapshot.Embed(texts).Vectors;
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.True(expected[i].Zip(actual[i], (a, b) => Math.Abs(a - b)).Max() < 1e-5, $"text {i} differs");
        }
    }

    [Fact]
    public void GetSnapshotKey_OnCpu_NamesTheRuntimeProviderAndDevice_AndEveryFieldChangesTheId()
    {
        SnapshotKey key = _backend.GetSnapshotKey(RealModels.LoadCatalog().Get(RealModels.MiniLm))!;

        Assert.StartsWith("onnxruntime 1.31.", key.Runtime, StringComparison.Ordinal);
        Assert.Equal("cpu", key.ExecutionProvider);
        Assert.Matches("^(x64|x86|arm64|[a-z0-9]+)-[a-z0-9-]+$", key.Device);
        Assert.Equal(RealModels.LoadCatalog().Get(RealModels.MiniLm).GetFile(ModelFileRole.Model).Sha256, key.SourceSha256);
        SnapshotKey[] variants =
        [
            key with { SourceSha256 = new string('0', 64) }, key with { Runtime = "onnxruntime 1.30.0" }, key with { ExecutionProvider = "cuda" },
            key with { Device = "sm90" }, key with { Optimization = "extended" }, key with { Precision = "fp16" }, key with { ModelId = "other" },
        ];
        Assert.Equal(variants.Length + 1, variants.Select(v => v.Id).Append(key.Id).Distinct().Count());
    }
}
