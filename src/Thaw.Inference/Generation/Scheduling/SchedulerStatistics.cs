namespace Thaw.Inference.Generation.Scheduling;

/// <summary>Counts since start, for status pages, benchmarks and tests; the same values go to metrics.</summary>
/// <param name="Steps">Batched decoder runs.</param>
/// <param name="PromptTokens">Prompt tokens fed (prefill).</param>
/// <param name="GeneratedTokens">Tokens sampled, end-of-sequence tokens included.</param>
/// <param name="Rejected">Requests refused because their profile's queue was full.</param>
/// <param name="Running">Requests holding a slot now.</param>
/// <param name="Queued">Requests waiting for a slot now.</param>
public sealed record SchedulerStatistics(long Steps, long PromptTokens, long GeneratedTokens, long Rejected, int Running, int Queued);
