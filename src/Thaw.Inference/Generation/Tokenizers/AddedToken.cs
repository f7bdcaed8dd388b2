namespace Thaw.Inference.Generation.Tokenizers;

/// <summary>
/// An entry of <c>tokenizer.json</c>'s <c>added_tokens</c>: matched in the raw text before pre-tokenization, never split.
/// <paramref name="LeftStrip"/> and <paramref name="RightStrip"/> let it swallow the whitespace beside it.
/// </summary>
internal sealed record AddedToken(int Id, string Content, bool Special, bool LeftStrip, bool RightStrip);
