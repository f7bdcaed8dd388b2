using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Thaw.Inference.Generation.Sampling;

/// <summary>The softmax's numerators over a vocabulary, vectorized: the sampler's cost per token is these passes.</summary>
internal static class Weights
{
    /// <summary>The largest logit; NaN if any logit is NaN.</summary>
    public static float Max(ReadOnlySpan<float> logits)
    {
        float max = float.NegativeInfinity;
        foreach (float x in logits)
        {
            max = Math.Max(max, x);
        }

        return max;
    }

    /// <summary>
    /// Writes exp((logit − max) × scale) for every token into <paramref name="weights"/> and returns their sum. The
    /// exponentials are float (8 or 16 lanes at a time), the sum float64: each term is within a few float ulps, so the
    /// sum, and a log-softmax taken from it, keep about 1e-7 relative accuracy whatever the vocabulary size.
    /// </summary>
    public static double Exp(ReadOnlySpan<float> logits, float max, float scale, Span<float> weights)
    {
        int i = 0;
        ref float source = ref MemoryMarshal.GetReference(logits);
        ref float target = ref MemoryMarshal.GetReference(weights);
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> shift = Vector256.Create(max), factor = Vector256.Create(scale);
            for (; i <= logits.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256.Exp((Vector256.LoadUnsafe(ref source, (nuint)i) - shift) * factor).StoreUnsafe(ref target, (nuint)i);
            }
        }

        for (; i < logits.Length; i++)
        {
            weights[i] = MathF.Exp((logits[i] - max) * scale);
        }

        double total = 0;
        foreach (float weight in weights[..logits.Length])
        {
            total += weight;
        }

        return total;
    }
}
