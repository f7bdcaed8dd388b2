namespace Thaw.Http.Contracts;

/// <summary>
/// The legacy completions' <c>logprobs</c>: parallel arrays over the generated tokens. <c>top_logprobs</c> maps each
/// alternative's text to its log-probability; <c>text_offset</c> is where each token's text starts in the choice's text.
/// </summary>
public sealed class CompletionLogprobs
{
    public required IReadOnlyList<string> Tokens { get; init; }

    public required IReadOnlyList<float> TokenLogprobs { get; init; }

    public required IReadOnlyList<IReadOnlyDictionary<string, float>> TopLogprobs { get; init; }

    public required IReadOnlyList<int> TextOffset { get; init; }
}
