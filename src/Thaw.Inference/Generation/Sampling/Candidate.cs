namespace Thaw.Inference.Generation.Sampling;

/// <summary>A token still in the running while the sampler truncates: its logit, then its unnormalized probability.</summary>
internal record struct Candidate(int Id, double Value);
