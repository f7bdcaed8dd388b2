using Thaw.Inference.Generation.Sampling;
using Thaw.Inference.Generation.Scheduling;

namespace Thaw.Inference.Generation.Completions;

/// <summary>One choice of a completion that ran to its end without streaming.</summary>
public sealed record CompletedChoice(int Index, string Text, IReadOnlyList<SampledToken> Tokens, FinishReason FinishReason);
