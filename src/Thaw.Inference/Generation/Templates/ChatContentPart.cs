namespace Thaw.Inference.Generation.Templates;

/// <summary>One part of a message's content array, as OpenAI sends it: <c>{"type": "text", "text": "..."}</c>, or another type.</summary>
/// <param name="Type">The part's <c>type</c>; only <c>text</c> is supported (these are text-only models).</param>
/// <param name="Text">The part's <c>text</c>, for a text part.</param>
public sealed record ChatContentPart(string Type, string? Text);
