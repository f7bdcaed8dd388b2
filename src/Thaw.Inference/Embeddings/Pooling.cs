using Thaw.Inference.Catalog;

namespace Thaw.Inference.Embeddings;

/// <summary>Turns one row of token vectors into one sentence vector.</summary>
internal static class Pooling
{
    /// <summary>Pools row <paramref name="row"/> of <paramref name="hidden"/> ([batch, seq, dim]) over its first <paramref name="length"/> (real) tokens.</summary>
    public static float[] Pool(PoolingKind kind, ReadOnlySpan<float> hidden, int row, int sequenceLength, int dimensions, int length)
    {
        ReadOnlySpan<float> tokens = hidden.Slice(row * sequenceLength * dimensions, sequenceLength * dimensions);
        float[] vector = new float[dimensions];
        switch (kind)
        {
            case PoolingKind.Cls:
                tokens[..dimensions].CopyTo(vector);
                break;
            case PoolingKind.Mean:
                // Sum in double: the reference (PyTorch) sums in float32, but the order of a float sum is not
                // defined there either; double keeps a padded row equal to the same input alone.
                double[] sum = new double[dimensions];
                for (int t = 0; t < length; t++)
                {
                    ReadOnlySpan<float> token = tokens.Slice(t * dimensions, dimensions);
                    for (int d = 0; d < dimensions; d++)
                    {
                        sum[d] += token[d];
                    }
                }

                for (int d = 0; d < dimensions; d++)
                {
                    vector[d] = (float)(sum[d] / length);
                }

                break;
            default:
                throw new InvalidOperationException($"Bug: pooling {kind} is not implemented.");
        }

        return vector;
    }

    /// <summary>Scales <paramref name="vector"/> to unit length (a zero vector stays zero).</summary>
    public static void L2Normalize(Span<float> vector)
    {
        double squares = 0;
        foreach (float v in vector)
        {
            squares += (double)v * v;
        }

        double norm = Math.Max(Math.Sqrt(squares), 1e-12);
        for (int i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)(vector[i] / norm);
        }
    }
}
