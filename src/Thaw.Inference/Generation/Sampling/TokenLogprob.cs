namespace Thaw.Inference.Generation.Sampling;

/// <summary>One entry of <c>top_logprobs</c>.</summary>
public readonly record struct TokenLogprob(int Id, float Logprob);
