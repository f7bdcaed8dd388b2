using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Thaw.Inference.Catalog;
using Thaw.Inference.Generation;
using Thaw.Inference.Generation.Completions;
using Thaw.Inference.Generation.Decoding;
using Thaw.Inference.Generation.Sampling;
using Thaw.Inference.Generation.Scheduling;
using Thaw.Inference.Models;
using Thaw.Inference.Onnx.Generation;
using Thaw.Inference.Settings;
using Thaw.Testing;

namespace Thaw.Inference.Onnx.Tests.Generation;

public sealed class TextGenerationModelLoaderTests : IDisposable
{
    private const string Prompt = "Hello, Thaw!";

    private readonly string _root = Directory.CreateTempSubdirectory("thaw-generation-").FullName;

    private readonly OnnxDecoderBackend _backend = new(
        Options.Create(new OnnxOptions { ExecutionProvider = ExecutionProviderPreference.Cpu }), NullLogger<OnnxDecoderBackend>.Instance);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(nameof(DecoderLayout.Optimum))]
    [InlineData(nameof(DecoderLayout.GroupQueryAttention))]
    public async Task AcquireAsync_DecoderInTheCatalog_ServesGreedyTokensEqualToTheSessionAlone(string layoutName)
    {
        DecoderLayout layout = Enum.Parse<DecoderLayout>(layoutName);
        string catalog = Path.Combine(_root, "models");
        TinyDecoderFolder.Write(catalog, "tiny", layout);
        var cache = new CacheOptions { CacheDirectory = Path.Combine(_root, "cache") };
        var models = new ModelsOptions { CatalogDirectory = catalog, Default = "tiny" };
        var loader = new TextGenerationModelLoader(
            RealModels.CreateFileCache(cache, models), _backend, Options.Create(new GenerationSchedulerOptions()), TimeProvider.System, NullLogger<TextGenerationModelLoader>.Instance);
        await using var pool = new ModelHost(ModelCatalog.Load(catalog, "tiny"), [loader], Options.Create(models), TimeProvider.System, NullLogger<ModelHost>.Instance);

        TextGenerationModel model = await pool.AcquireAsync<TextGenerationModel>("tiny");
        IReadOnlyList<int> prompt = model.EncodePrompt(Prompt);
        using TextCompletion completion = model.Start(prompt, new CompletionSettings { MaxTokens = 12, Logprobs = true, Sampling = new SamplingParameters { Temperature = 0 } });
        CompletedText text = await completion.CollectAsync();

        int[] expected = await GreedyAloneAsync(pool.Catalog.Get("tiny"), prompt, 12);
        int[] served = [.. text.Choices[0].Tokens.Select(t => t.Id)];
        // EOS ends both (and is never delivered): the sequences end at the same place.
        Assert.Equal(expected, served);
        Assert.NotEmpty(served);
        Assert.Equal(ModelState.Ready, pool.GetStatus("tiny").State);
        // The budget counts the weights and every slot's KV: layers × (K, V) × kv_heads × context × head_dim × float × slots.
        int kvHeads = layout == DecoderLayout.Optimum ? 4 : 2;
        Assert.Equal(pool.Catalog.Get("tiny").Files.Sum(f => f.Size) + (2L * 2 * kvHeads * 64 * 16 * sizeof(float) * 2), model.Bytes);
    }

    [Fact]
    public async Task LoadAsync_TokenizerOfAnotherModel_FailsNamingTheMismatch()
    {
        string catalog = Path.Combine(_root, "models");
        string path = TinyDecoderFolder.Write(catalog, "tiny", DecoderLayout.Optimum);
        ModelManifest manifest = ModelCatalog.ReadManifest(path);
        // The prompt's bytes are ids up to 255: a graph with fewer logits cannot take them.
        var narrow = new NarrowSession(await _backend.CreateSessionAsync(manifest, Path.Combine(manifest.Directory, "model.onnx")));
        var cache = new CacheOptions { CacheDirectory = Path.Combine(_root, "cache") };
        var loader = new TextGenerationModelLoader(
            RealModels.CreateFileCache(cache), new FixedBackend(narrow), Options.Create(new GenerationSchedulerOptions()), TimeProvider.System, NullLogger<TextGenerationModelLoader>.Instance);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => loader.LoadAsync(manifest));

        Assert.Contains("the tokenizer and the model do not belong together", e.Message, StringComparison.Ordinal);
        Assert.True(narrow.Disposed);
    }

    private async Task<int[]> GreedyAloneAsync(ModelManifest manifest, IReadOnlyList<int> prompt, int count)
    {
        using IDecoderSession session = await _backend.CreateSessionAsync(manifest, Path.Combine(manifest.Directory, "model.onnx"));
        var logits = new float[session.VocabSize];
        var tokens = new List<int>();
        ReadOnlyMemory<int> input = prompt.ToArray();
        for (int i = 0; i < count; i++)
        {
            session.Run([new DecoderInput(0, input)], logits);
            int next = Array.IndexOf(logits, logits.Max());
            if (next == TinyDecoderFolder.EndOfText)
            {
                break;
            }

            tokens.Add(next);

            input = new[] { next };
        }

        return [.. tokens];
    }

    /// <summary>The real session, claiming fewer logits than the tokenizer's ids need.</summary>
    private sealed class NarrowSession(IDecoderSession inner) : IDecoderSession
    {
        public bool Disposed { get; private set; }

        public string ExecutionProvider => inner.ExecutionProvider;

        public int Slots => inner.Slots;

        public int ContextLength => inner.ContextLength;

        public int VocabSize => 32;

        public long CacheBytes => inner.CacheBytes;

        public int LengthOf(int slot) => inner.LengthOf(slot);

        public void Run(IReadOnlyList<DecoderInput> inputs, Span<float> logits, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("Bug: the loader ran a session whose vocabulary it should have refused.");

        public void Reset(int slot) => inner.Reset(slot);

        public void Dispose()
        {
            Disposed = true;
            inner.Dispose();
        }
    }

    private sealed class FixedBackend(IDecoderSession session) : IDecoderBackend
    {
        public Task<IDecoderSession> CreateSessionAsync(ModelManifest model, string modelPath, CancellationToken cancellationToken = default) =>
            Task.FromResult(session);
    }
}
