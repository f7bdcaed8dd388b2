using Thaw.Inference.Backends;

namespace Thaw.Inference.Tests.Embeddings;

/// <summary>
/// An encoder whose token vector depends only on the token id and position: vector[d] = id + 1000·position + d.
/// Padding rows must therefore never influence pooling, and each call records the batch it saw.
/// </summary>
internal sealed class FakeEncoder(int hiddenSize) : IEncoderSession
{
    public List<(int BatchSize, int SequenceLength)> Batches { get; } = [];

    public string ExecutionProvider => "fake";

    public IEncoderOutput Run(EncoderBatch batch, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Batches.Add((batch.BatchSize, batch.SequenceLength));
        float[] hidden = new float[batch.BatchSize * batch.SequenceLength * hiddenSize];
        for (int i = 0; i < batch.BatchSize * batch.SequenceLength; i++)
        {
            for (int d = 0; d < hiddenSize; d++)
            {
                hidden[i * hiddenSize + d] = batch.InputIds[i] + 1000 * (i % batch.SequenceLength) + d;
            }
        }

        return new Output(hidden, hiddenSize);
    }

    public void Dispose()
    {
    }

    private sealed class Output(float[] hidden, int hiddenSize) : IEncoderOutput
    {
        public int HiddenSize => hiddenSize;

        public ReadOnlySpan<float> LastHiddenState => hidden;

        public void Dispose()
        {
        }
    }
}
