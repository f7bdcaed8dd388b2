using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Thaw.Inference.Catalog;
using Thaw.Inference.Generation.Decoding;
using Thaw.Inference.Onnx.Generation;
using Thaw.Testing;

namespace Thaw.Inference.Onnx.Tests.Generation;

public sealed class OnnxDecoderBackendTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("thaw-decoder-").FullName;

    private readonly OnnxDecoderBackend _backend = new(
        Options.Create(new OnnxOptions { ExecutionProvider = ExecutionProviderPreference.Auto }), NullLogger<OnnxDecoderBackend>.Instance);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(nameof(DecoderLayout.Optimum), "optimum")]
    [InlineData(nameof(DecoderLayout.GroupQueryAttention), "gqa")]
    public async Task CreateSessionAsync_EitherLayout_HasTheManifestsSlotsOnCpuWithoutCuda(string layoutName, string declared)
    {
        DecoderLayout layout = Enum.Parse<DecoderLayout>(layoutName);
        ModelManifest manifest = ModelCatalog.ReadManifest(TinyDecoderFolder.Write(_root, "d", layout, g => g["layout"] = declared));

        using IDecoderSession session = await _backend.CreateSessionAsync(manifest, Path.Combine(manifest.Directory, "model.onnx"));

        // No CUDA libraries on the machines this suite runs on: Auto falls back to CPU.
        Assert.Equal(("CPU", 2, 64, TinyDecoderFolder.Vocab), (session.ExecutionProvider, session.Slots, session.ContextLength, session.VocabSize));
        Assert.True(session.CacheBytes > 0);
    }

    [Theory]
    [InlineData("layout", "\"gqa\"", "declares 'generation.layout' gqa, but the graph")]
    [InlineData("kvHeads", "3", "declares 'generation.kvHeads' 3, but the graph")]
    [InlineData("layers", "5", "declares 'generation.layers' 5, but the graph")]
    [InlineData("vocabSize", "50257", "declares 'generation.vocabSize' 50257, but the graph")]
    [InlineData("kvDtype", "\"float16\"", "declares 'generation.kvDtype' float16, but the graph")]
    [InlineData("eosTokenIds", "[300]", "token id 300 in 'generation'")]
    public async Task CreateSessionAsync_ManifestDisagreesWithGraph_NamesTheField(string field, string json, string problem)
    {
        ModelManifest manifest = ModelCatalog.ReadManifest(TinyDecoderFolder.Write(_root, "d", DecoderLayout.Optimum, g => g[field] = System.Text.Json.Nodes.JsonNode.Parse(json)));

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => _backend.CreateSessionAsync(manifest, Path.Combine(manifest.Directory, "model.onnx")));

        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSessionAsync_LegacySplitExport_IsRefusedWithTheFix()
    {
        ModelManifest manifest = ModelCatalog.ReadManifest(TinyDecoderFolder.Write(_root, "d", DecoderLayout.Optimum));
        string legacy = Path.Combine(_root, "decoder_with_past_model.onnx");
        File.Copy(Path.Combine(manifest.Directory, "model.onnx"), legacy);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => _backend.CreateSessionAsync(manifest, legacy));

        Assert.Contains("optimum-cli export onnx", e.Message, StringComparison.Ordinal);
    }
}
