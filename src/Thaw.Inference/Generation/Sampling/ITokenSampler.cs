namespace Thaw.Inference.Generation.Sampling;

/// <summary>
/// Chooses the next token of one sequence from the model's logits at its last position. One instance per
/// sequence: it owns that sequence's random state (a seed gives the same text whatever the batch neighbours).
/// </summary>
public interface ITokenSampler
{
    /// <summary>Picks the next token.</summary>
    /// <param name="logits">Raw logits over the vocabulary; the sampler may overwrite them.</param>
    /// <param name="generated">The tokens this sequence has generated so far (for presence/frequency penalties).</param>
    SampledToken Next(Span<float> logits, ReadOnlySpan<int> generated);
}
