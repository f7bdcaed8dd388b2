using Thaw.Inference.Onnx.Generation.Synthetic;

namespace Thaw.Inference.Onnx.Tests.Generation;

/// <summary>
/// The oracle: the synthetic decoder's forward pass in plain float64 C#, recomputed over the whole sequence every
/// time (no cache, no batching, no ONNX Runtime), written from the architecture, not from the graph.
/// </summary>
internal sealed class ReferenceDecoder(SyntheticDecoderWeights weights)
{
    private const double NormEpsilon = 1e-5;

    private readonly SyntheticDecoderConfig _config = weights.Config;

    /// <summary>The logits at every position of <paramref name="tokens"/>: <c>[tokens.Count][vocab]</c>.</summary>
    public double[][] Logits(IReadOnlyList<int> tokens)
    {
        int n = tokens.Count;
        int h = _config.Hidden;
        int d = _config.HeadDim;
        var x = new double[n][];
        for (int t = 0; t < n; t++)
        {
            x[t] = new double[h];
            for (int j = 0; j < h; j++)
            {
                x[t][j] = weights.TokenEmbedding[(tokens[t] * h) + j] + (_config.Rotary ? 0 : weights.PositionEmbedding[(t * h) + j]);
            }
        }

        foreach (SyntheticLayerWeights layer in weights.Layers)
        {
            var q = new double[n][];
            var k = new double[n][];
            var v = new double[n][];
            for (int t = 0; t < n; t++)
            {
                double[] normed = LayerNorm(x[t], layer.AttentionNormScale, layer.AttentionNormBias);
                q[t] = Rotate(MatVec(normed, layer.Query, _config.Heads * d), t, _config.Heads);
                k[t] = Rotate(MatVec(normed, layer.Key, _config.KvHeads * d), t, _config.KvHeads);
                v[t] = MatVec(normed, layer.Value, _config.KvHeads * d);
            }

            int group = _config.Heads / _config.KvHeads;
            for (int t = 0; t < n; t++)
            {
                var context = new double[_config.Heads * d];
                for (int head = 0; head < _config.Heads; head++)
                {
                    int kvHead = head / group;
                    var scores = new double[t + 1];
                    double max = double.NegativeInfinity;
                    for (int s = 0; s <= t; s++)
                    {
                        double dot = 0;
                        for (int j = 0; j < d; j++)
                        {
                            dot += q[t][(head * d) + j] * k[s][(kvHead * d) + j];
                        }

                        scores[s] = dot / Math.Sqrt(d);
                        max = Math.Max(max, scores[s]);
                    }

                    double sum = 0;
                    for (int s = 0; s <= t; s++)
                    {
                        scores[s] = Math.Exp(scores[s] - max);
                        sum += scores[s];
                    }

                    for (int s = 0; s <= t; s++)
                    {
                        for (int j = 0; j < d; j++)
                        {
                            context[(head * d) + j] += scores[s] / sum * v[s][(kvHead * d) + j];
                        }
                    }
                }

                Add(x[t], MatVec(context, layer.Output, h));
            }

            for (int t = 0; t < n; t++)
            {
                double[] up = MatVec(LayerNorm(x[t], layer.MlpNormScale, layer.MlpNormBias), layer.Up, _config.Intermediate);
                for (int j = 0; j < up.Length; j++)
                {
                    up[j] /= 1 + Math.Exp(-up[j]);
                }

                Add(x[t], MatVec(up, layer.Down, h));
            }
        }

        return [.. x.Select(row => MatVec(LayerNorm(row, weights.FinalNormScale, weights.FinalNormBias), weights.LmHead, _config.Vocab))];
    }

    /// <summary>Greedy decoding by full recompute: the tokens argmax picks after <paramref name="prompt"/>.</summary>
    public int[] Greedy(IReadOnlyList<int> prompt, int count)
    {
        var tokens = new List<int>(prompt);
        for (int i = 0; i < count; i++)
        {
            double[] last = Logits(tokens)[^1];
            tokens.Add(Array.IndexOf(last, last.Max()));
        }

        return [.. tokens.Skip(prompt.Count)];
    }

    private double[] Rotate(double[] projection, int position, int heads)
    {
        if (!_config.Rotary)
        {
            return projection;
        }

        int d = _config.HeadDim;
        int half = d / 2;
        for (int head = 0; head < heads; head++)
        {
            for (int j = 0; j < half; j++)
            {
                double angle = weights.RotaryAngle(position, j);
                (double cos, double sin) = (Math.Cos(angle), Math.Sin(angle));
                int a = (head * d) + j;
                int b = a + half;
                (projection[a], projection[b]) = ((projection[a] * cos) - (projection[b] * sin), (projection[b] * cos) + (projection[a] * sin));
            }
        }

        return projection;
    }

    private static double[] LayerNorm(double[] x, float[] scale, float[] bias)
    {
        double mean = x.Average();
        double variance = x.Select(value => (value - mean) * (value - mean)).Average();
        double inverse = 1 / Math.Sqrt(variance + NormEpsilon);
        return [.. x.Select((value, j) => ((value - mean) * inverse * scale[j]) + bias[j])];
    }

    private static double[] MatVec(double[] x, float[] matrix, int columns)
    {
        var result = new double[columns];
        for (int i = 0; i < x.Length; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                result[j] += x[i] * matrix[(i * columns) + j];
            }
        }

        return result;
    }

    private static void Add(double[] x, double[] delta)
    {
        for (int j = 0; j < x.Length; j++)
        {
            x[j] += delta[j];
        }
    }
}
