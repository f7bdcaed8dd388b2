using Thaw.Inference.Generation.Sampling;
using Thaw.Inference.Generation.Scheduling;

namespace Thaw.Inference.Generation.Completions;

/// <summary>
/// What one choice added since its last delta: text that is safe to send (never half a character, never part of a
/// stop sequence), the tokens that produced it (with logprobs when asked), and, on its last delta, how it ended.
/// </summary>
/// <param name="Choice">The choice's index, 0 to <c>n</c> - 1.</param>
/// <param name="Text">New text; may be empty while a character or a possible stop sequence is held back.</param>
/// <param name="Tokens">The tokens sampled since the last delta. Their text can lag behind them, or never come (a stop sequence).</param>
/// <param name="FinishReason">Set on the choice's last delta only.</param>
public sealed record CompletionDelta(int Choice, string Text, IReadOnlyList<SampledToken> Tokens, FinishReason? FinishReason);
