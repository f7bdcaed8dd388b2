using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Inference.Catalog;
using Thaw.Inference.Generation.Decoding;
using Thaw.Inference.Generation.Scheduling;
using Thaw.Inference.Generation.Templates;
using Thaw.Inference.Generation.Tokenizers;
using Thaw.Inference.Models;
using Thaw.Inference.Sources;

namespace Thaw.Inference.Generation;

/// <summary>
/// Loads text-generation models: verified files, the tokenizer (read on another core while the decoder session is
/// created), the session with its KV cache, and a warm-up of one short prefill and one decode step — each phase timed.
/// </summary>
/// <remarks>
/// Decoders load from their source files, never from a prepared-model snapshot: the snapshot tier saves an encoder
/// the graph optimization at each cold start, but an optimized decoder graph is specific to the layout's fused
/// attention kernels and the snapshot format keys one model file plus a vocabulary, not a graph with external data
/// and a tokenizer. The files themselves still come through every tier of <see cref="ModelFileCache"/>.
/// </remarks>
public sealed class TextGenerationModelLoader(
    ModelFileCache files,
    IDecoderBackend backend,
    IOptions<GenerationSchedulerOptions> scheduling,
    TimeProvider timeProvider,
    ILogger<TextGenerationModelLoader> logger,
    GenerationMetrics? metrics = null) : IModelLoader
{
    private const string WarmUpText = "Thaw warm-up run.";

    public ModelTask Task => ModelTask.TextGeneration;

    public async Task<ModelLoad> LoadAsync(ModelManifest manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        GenerationSpec generation = manifest.Generation
            ?? throw new InvalidOperationException($"Bug: model '{manifest.Id}' passed validation without a 'generation' object.");
        DateTimeOffset startedAt = timeProvider.GetUtcNow();
        long started = timeProvider.GetTimestamp();
        ModelFiles local = await files.EnsureAsync(manifest, cancellationToken: cancellationToken).ConfigureAwait(false);
        long filesDone = timeProvider.GetTimestamp();
        Task<(ITextTokenizer Tokenizer, TimeSpan Took)> reading = System.Threading.Tasks.Task.Run(() =>
        {
            long begun = timeProvider.GetTimestamp();
            return (ReadTokenizer(manifest, local), timeProvider.GetElapsedTime(begun));
        }, cancellationToken);
        IDecoderSession session;
        try
        {
            session = await backend.CreateSessionAsync(manifest, local.ModelPath, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Let the read end before the failure propagates: nothing of this load outlives it.
            await System.Threading.Tasks.Task.WhenAny(reading).ConfigureAwait(false);
            throw;
        }

        try
        {
            long sessionDone = timeProvider.GetTimestamp();
            (ITextTokenizer tokenizer, TimeSpan tokenizerTime) = await reading.ConfigureAwait(false);
            long tokenizerDone = timeProvider.GetTimestamp();
            IChatTemplate? template = generation.ChatTemplate is { } name ? ChatTemplates.Get(name, timeProvider) : null;
            WarmUp(manifest, session, tokenizer, cancellationToken);
            long warmedUp = timeProvider.GetTimestamp();
            var model = new TextGenerationModel(manifest, tokenizer, template, session, generation.EosTokenIds, scheduling.Value, timeProvider, metrics, logger);
            var timings = new ModelLoadTimings(
                startedAt,
                timeProvider.GetElapsedTime(started, warmedUp),
                timeProvider.GetElapsedTime(started, filesDone),
                tokenizerTime,
                timeProvider.GetElapsedTime(filesDone, sessionDone),
                timeProvider.GetElapsedTime(tokenizerDone, warmedUp),
                local.Tier,
                local.BytesFetched,
                local.BytesVerified,
                local.SnapshotStoreProblem);
            return new ModelLoad(model, timings);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the first requests' shape once, a short prefill then one decode step in slot 0, and forgets it: kernels
    /// and the runtime's buffers are set up before the first request instead of during it.
    /// </summary>
    private static void WarmUp(ModelManifest manifest, IDecoderSession session, ITextTokenizer tokenizer, CancellationToken cancellationToken)
    {
        int[] prompt = [.. tokenizer.Encode(WarmUpText, addSpecialTokens: true).Take(session.ContextLength - 1)];
        if (prompt.FirstOrDefault(id => id >= session.VocabSize, -1) is var outside and >= 0)
        {
            // A tokenizer of another model: caught here, not as an out-of-range gather inside a request's step.
            throw new InvalidOperationException(
                $"Model '{manifest.Id}': its tokenizer gives token id {outside} but the graph has {session.VocabSize} logits: the tokenizer and the model do not belong together.");
        }

        var logits = new float[session.VocabSize];
        session.Run([new DecoderInput(0, prompt)], logits, cancellationToken);
        int next = 0;
        for (int i = 1; i < logits.Length; i++)
        {
            next = logits[i] > logits[next] ? i : next;
        }

        session.Run([new DecoderInput(0, new[] { next })], logits, cancellationToken);
        session.Reset(0);
    }

    private static ITextTokenizer ReadTokenizer(ModelManifest manifest, ModelFiles local)
    {
        string path = local.Paths[ModelFileRole.Tokenizer];
        try
        {
            using FileStream tokenizer = File.OpenRead(path);
            if (manifest.Tokenizer.Kind == TokenizerKinds.SentencePiece)
            {
                return SentencePieceBpeTokenizer.Create(tokenizer, addBeginningOfSentence: manifest.Generation!.BosTokenId is not null);
            }

            using FileStream? config = local.Find(ModelFileRole.TokenizerConfig) is { } configPath ? File.OpenRead(configPath) : null;
            return ByteLevelBpeTokenizer.FromTokenizerJson(tokenizer, config);
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException)
        {
            throw new InvalidOperationException($"Model '{manifest.Id}': its tokenizer '{Path.GetFileName(path)}' cannot be read as '{manifest.Tokenizer.Kind}': {e.Message}", e);
        }
    }
}
