using Thaw.Inference.Backends;
using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.Models;
using Thaw.Inference.Tokenization;

namespace Thaw.Inference.Embeddings;

/// <summary>
/// A loaded embedding model: tokenizer, encoder session, pooling, and one micro-batcher per profile through which
/// concurrent requests share forward passes.
/// </summary>
public sealed class EmbeddingModel : ILoadedModel, IDisposable
{
    private readonly BatchingOptions _batching;
    private readonly MicroBatcher<TokenizedInput, float[]> _interactive;
    private readonly MicroBatcher<TokenizedInput, float[]> _bulk;
    private int _disposed;

    public EmbeddingModel(
        ModelManifest manifest,
        EmbeddingTokenizer tokenizer,
        IEncoderSession session,
        BatchingOptions batching,
        TimeProvider timeProvider,
        BatchingMetrics? metrics = null)
    {
        Manifest = manifest;
        Tokenizer = tokenizer;
        Session = session;
        _batching = batching;
        _interactive = CreateBatcher(batching, timeProvider, metrics);
        _bulk = CreateBatcher(batching.Bulk, timeProvider, metrics);
    }

    public ModelManifest Manifest { get; }

    public EmbeddingTokenizer Tokenizer { get; }

    public IEncoderSession Session { get; }

    public string Id => Manifest.Id;

    public ModelTask Task => Manifest.Task;

    /// <summary>Its files' sizes: the weights dominate what a loaded encoder takes.</summary>
    public long Bytes => Manifest.Files.Sum(f => f.Size);

    public string ExecutionProvider => Session.ExecutionProvider;

    public bool IsBusy => _interactive.Statistics.Queued + _bulk.Statistics.Queued > 0;

    public BatchStatistics GetStatistics(BatchProfileKind profile) => Batcher(profile).Statistics;

    public ModelActivity GetActivity() => new EmbeddingActivity(_interactive.Statistics, _bulk.Statistics);

    public TokenizedInput[] Tokenize(IReadOnlyList<string> inputs, EmbeddingInputType inputType)
    {
        string prefix = inputType == EmbeddingInputType.Query ? Manifest.Prefixes.Query : Manifest.Prefixes.Document;
        var tokenized = new TokenizedInput[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            tokenized[i] = Tokenizer.Encode(prefix + inputs[i], Manifest.MaxTokens);
        }

        return tokenized;
    }

    /// <summary>Embeds through the profile's micro-batcher, sharing forward passes with concurrent requests.</summary>
    /// <exception cref="TooManyInputsException">More inputs than the batcher's queue can ever hold.</exception>
    /// <exception cref="OverloadedException">The batcher's queue is full.</exception>
    /// <exception cref="BatcherClosedException">The model is shutting down.</exception>
    public async Task<EmbeddingResult> EmbedAsync(
        IReadOnlyList<string> inputs,
        EmbeddingInputType inputType = EmbeddingInputType.Document,
        BatchProfileKind profile = BatchProfileKind.Interactive,
        CancellationToken cancellationToken = default)
    {
        TokenizedInput[] tokenized = Tokenize(inputs, inputType);
        float[][] vectors = await Batcher(profile).SubmitAsync(tokenized, cancellationToken).ConfigureAwait(false);
        return Result(vectors, tokenized);
    }

    /// <summary>Embeds on the caller's thread, outside the batchers (warm-up and in-process benchmarks).</summary>
    public EmbeddingResult Embed(IReadOnlyList<string> inputs, EmbeddingInputType inputType = EmbeddingInputType.Document, CancellationToken cancellationToken = default)
    {
        TokenizedInput[] tokenized = Tokenize(inputs, inputType);
        return Result(Encode(tokenized, _batching.MaxBatchSize, _batching.MaxBatchTokens, cancellationToken), tokenized);
    }

    /// <summary>
    /// Runs forward passes over tokenized inputs: sorted by length, cut at <paramref name="maxBatchSize"/> inputs and
    /// <paramref name="maxBatchTokens"/> padded tokens. Returns one vector per input, in input order.
    /// </summary>
    public float[][] Encode(IReadOnlyList<TokenizedInput> tokenized, int maxBatchSize, int maxBatchTokens, CancellationToken cancellationToken)
    {
        float[][] vectors = new float[tokenized.Count][];
        int[] order = Enumerable.Range(0, tokenized.Count).OrderByDescending(i => tokenized[i].Ids.Length).ToArray();
        int start = 0;
        while (start < order.Length)
        {
            int sequenceLength = tokenized[order[start]].Ids.Length;
            int rowsByTokens = Math.Max(1, maxBatchTokens / sequenceLength);
            int count = Math.Min(Math.Min(maxBatchSize, rowsByTokens), order.Length - start);
            RunPass(tokenized, order.AsSpan(start, count), sequenceLength, vectors, cancellationToken);
            start += count;
        }

        return vectors;
    }

    private static EmbeddingResult Result(float[][] vectors, TokenizedInput[] tokenized) =>
        new(vectors, tokenized.Sum(t => t.Ids.Length), tokenized.Count(t => t.Truncated));

    private MicroBatcher<TokenizedInput, float[]> CreateBatcher(BatchingProfile profile, TimeProvider timeProvider, BatchingMetrics? metrics) =>
        new(Manifest.Id, profile, t => t.Ids.Length,
            (inputs, cancellationToken) => Encode(inputs, profile.MaxBatchSize, profile.MaxBatchTokens, cancellationToken),
            timeProvider, metrics);

    private MicroBatcher<TokenizedInput, float[]> Batcher(BatchProfileKind profile) =>
        profile == BatchProfileKind.Bulk ? _bulk : _interactive;

    private void RunPass(IReadOnlyList<TokenizedInput> tokenized, ReadOnlySpan<int> rows, int sequenceLength, float[][] vectors, CancellationToken cancellationToken)
    {
        var batch = new EncoderBatch(rows.Length, sequenceLength);
        for (int r = 0; r < rows.Length; r++)
        {
            batch.SetRow(r, tokenized[rows[r]].Ids, Tokenizer.PaddingTokenId);
        }

        using IEncoderOutput output = Session.Run(batch, cancellationToken);
        if (output.HiddenSize != Manifest.Dimensions)
        {
            throw new InvalidOperationException(
                $"Model '{Manifest.Id}' returned vectors of {output.HiddenSize} dimensions; its manifest says {Manifest.Dimensions}.");
        }

        for (int r = 0; r < rows.Length; r++)
        {
            float[] vector = Pooling.Pool(Manifest.Pooling!.Value, output.LastHiddenState, r, sequenceLength, output.HiddenSize, tokenized[rows[r]].Ids.Length);
            if (Manifest.Normalize)
            {
                Pooling.L2Normalize(vector);
            }

            vectors[rows[r]] = vector;
        }
    }

    /// <summary>Finishes the work already accepted (graceful shutdown), then releases the session.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _interactive.DisposeAsync().ConfigureAwait(false);
        await _bulk.DisposeAsync().ConfigureAwait(false);
        Session.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
