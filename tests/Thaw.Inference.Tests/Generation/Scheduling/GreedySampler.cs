using Thaw.Inference.Generation.Sampling;

namespace Thaw.Inference.Tests.Generation.Scheduling;

/// <summary>Argmax, lowest id on ties; fails on its <see cref="FailAt"/>-th call when set.</summary>
internal sealed class GreedySampler : ITokenSampler
{
    private int _calls;

    public int? FailAt { get; init; }

    public SampledToken Next(Span<float> logits, ReadOnlySpan<int> generated)
    {
        if (generated.Length != _calls)
        {
            throw new InvalidOperationException($"Call {_calls} saw {generated.Length} generated tokens.");
        }

        if (++_calls == FailAt)
        {
            throw new InvalidOperationException("The sampler failed.");
        }

        int best = 0;
        for (int i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return new SampledToken(best, 0f, []);
    }
}
