namespace Thaw.Inference.Backends;

/// <summary>
/// A padded batch for a BERT-style encoder, row-major <c>[BatchSize, SequenceLength]</c>. Padding positions
/// have attention mask 0; token type ids are all 0 (single-segment inputs).
/// </summary>
public sealed class EncoderBatch
{
    public EncoderBatch(int batchSize, int sequenceLength)
    {
        BatchSize = batchSize;
        SequenceLength = sequenceLength;
        InputIds = new long[batchSize * sequenceLength];
        AttentionMask = new long[batchSize * sequenceLength];
        TokenTypeIds = new long[batchSize * sequenceLength];
    }

    public int BatchSize { get; }

    public int SequenceLength { get; }

    public long[] InputIds { get; }

    public long[] AttentionMask { get; }

    public long[] TokenTypeIds { get; }

    /// <summary>Writes one row; positions after <paramref name="ids"/> stay padding (<paramref name="paddingId"/>, mask 0).</summary>
    public void SetRow(int row, ReadOnlySpan<int> ids, int paddingId)
    {
        Span<long> rowIds = InputIds.AsSpan(row * SequenceLength, SequenceLength);
        Span<long> rowMask = AttentionMask.AsSpan(row * SequenceLength, SequenceLength);
        for (int t = 0; t < SequenceLength; t++)
        {
            bool real = t < ids.Length;
            rowIds[t] = real ? ids[t] : paddingId;
            rowMask[t] = real ? 1 : 0;
        }
    }
}
