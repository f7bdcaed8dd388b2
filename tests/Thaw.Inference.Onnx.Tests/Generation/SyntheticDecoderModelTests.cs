using Microsoft.ML.OnnxRuntime;
using Thaw.Inference.Onnx.Generation;
using Thaw.Inference.Onnx.Generation.Synthetic;

namespace Thaw.Inference.Onnx.Tests.Generation;

/// <summary>The synthetic graphs, run directly in ONNX Runtime, against the float64 reference forward pass.</summary>
public sealed class SyntheticDecoderModelTests
{
    private static readonly int[] Prompt = [5, 17, 99, 3, 64, 127, 0, 42, 42, 8, 77, 31];

    [Theory]
    [InlineData(nameof(DecoderLayout.Optimum))]
    [InlineData(nameof(DecoderLayout.GroupQueryAttention))]
    public void Build_FullRecompute_LogitsMatchReference(string layout)
    {
        var weights = SyntheticDecoderWeights.Create(SyntheticDecoderConfig.Tiny(Enum.Parse<DecoderLayout>(layout)));
        using var session = new InferenceSession(SyntheticDecoderModel.Build(weights));

        (float[] logits, _) = RawDecoderStep.Run(session, weights.Config, Prompt, RawDecoderStep.EmptyCache(weights.Config));

        double[][] expected = new ReferenceDecoder(weights).Logits(Prompt);
        for (int t = 0; t < Prompt.Length; t++)
        {
            LogitAssert.Close(expected[t], logits.AsSpan(t * weights.Config.Vocab, weights.Config.Vocab), 1e-4);
        }
    }

    [Theory]
    [InlineData(nameof(DecoderLayout.Optimum))]
    [InlineData(nameof(DecoderLayout.GroupQueryAttention))]
    public void Build_WithCache_LogitsMatchReference(string layout)
    {
        var weights = SyntheticDecoderWeights.Create(SyntheticDecoderConfig.Tiny(Enum.Parse<DecoderLayout>(layout)));
        using var session = new InferenceSession(SyntheticDecoderModel.Build(weights));
        double[][] expected = new ReferenceDecoder(weights).Logits(Prompt);
        int vocab = weights.Config.Vocab;

        // A first chunk, a continued chunk (GroupQueryAttention's "subsequent prompt"), then one token at a time.
        int[] chunks = [4, 3, 1, 1, 1, 1, 1];
        float[][] cache = RawDecoderStep.EmptyCache(weights.Config);
        int start = 0;
        foreach (int chunk in chunks)
        {
            (float[] logits, cache) = RawDecoderStep.Run(session, weights.Config, Prompt[start..(start + chunk)], cache);
            for (int t = 0; t < chunk; t++)
            {
                LogitAssert.Close(expected[start + t], logits.AsSpan(t * vocab, vocab), 1e-4);
            }

            start += chunk;
        }
    }
}
