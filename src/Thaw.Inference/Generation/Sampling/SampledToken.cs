namespace Thaw.Inference.Generation.Sampling;

/// <summary>A chosen token, its log-probability under the model's distribution, and the most likely alternatives when asked.</summary>
/// <param name="Id">The token id.</param>
/// <param name="Logprob">log p(token) from the log-softmax of the raw logits (before temperature, penalties and truncation, as OpenAI reports it).</param>
/// <param name="TopLogprobs">The <c>top_logprobs</c> most likely tokens, most likely first; empty when not asked.</param>
public readonly record struct SampledToken(int Id, float Logprob, IReadOnlyList<TokenLogprob> TopLogprobs);
