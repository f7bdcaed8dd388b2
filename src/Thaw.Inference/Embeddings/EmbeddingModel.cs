using Thaw.Inference.Backends;
using Thaw.Inference.Catalog;
using Thaw.Inference.Tokenization;

namespace Thaw.Inference.Embeddings;

/// <summary>
/// A loaded embedding model: tokenizer, encoder session and pooling. Inputs of one call are sorted by length
/// and cut into forward passes bounded by <c>maxBatchSize</c> inputs and <c>maxBatchTokens</c> padded tokens,
/// which keeps padding (wasted compute) small.
/// </summary>
public sealed class EmbeddingModel : IDisposable
{
    private readonly int _maxBatchSize;
    private readonly int _maxBatchTokens;

    public EmbeddingModel(ModelManifest manifest, EmbeddingTokenizer tokenizer, IEncoderSession session, int maxBatchSize, int maxBatchTokens)
    {
        Manifest = manifest;
        Tokenizer = tokenizer;
        Session = session;
        _maxBatchSize = maxBatchSize;
        _maxBatchTokens = maxBatchTokens;
    }

    public ModelManifest Manifest { get; }

    public EmbeddingTokenizer Tokenizer { get; }

    public IEncoderSession Session { get; }

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

    public EmbeddingResult Embed(IReadOnlyList<string> inputs, EmbeddingInputType inputType = EmbeddingInputType.Document, CancellationToken cancellationToken = default)
    {
        TokenizedInput[] tokenized = Tokenize(inputs, inputType);
        float[][] vectors = new float[inputs.Count][];
        int[] order = Enumerable.Range(0, tokenized.Length).OrderByDescending(i => tokenized[i].Ids.Length).ToArray();
        int start = 0;
        while (start < order.Length)
        {
            int sequenceLength = tokenized[order[start]].Ids.Length;
            int rowsByTokens = Math.Max(1, _maxBatchTokens / sequenceLength);
            int count = Math.Min(Math.Min(_maxBatchSize, rowsByTokens), order.Length - start);
            RunBatch(tokenized, order.AsSpan(start, count), sequenceLength, vectors, cancellationToken);
            start += count;
        }

        return new EmbeddingResult(
            vectors,
            tokenized.Sum(t => t.Ids.Length),
            tokenized.Count(t => t.Truncated));
    }

    private void RunBatch(TokenizedInput[] tokenized, ReadOnlySpan<int> rows, int sequenceLength, float[][] vectors, CancellationToken cancellationToken)
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
            float[] vector = Pooling.Pool(Manifest.Pooling, output.LastHiddenState, r, sequenceLength, output.HiddenSize, tokenized[rows[r]].Ids.Length);
            if (Manifest.Normalize)
            {
                Pooling.L2Normalize(vector);
            }

            vectors[rows[r]] = vector;
        }
    }

    public void Dispose() => Session.Dispose();
}
