namespace Thaw.Inference.Generation.Templates;

/// <summary>One message of a chat completion request.</summary>
/// <param name="Role"><c>system</c>, <c>user</c> or <c>assistant</c>.</param>
/// <param name="Content">Its content: one text part for a string content, or the parts of a content array.</param>
public sealed record ChatMessage(string Role, IReadOnlyList<ChatContentPart> Content)
{
    /// <summary>A message whose content is a plain string.</summary>
    public static ChatMessage FromText(string role, string text) => new(role, [new ChatContentPart("text", text)]);
}
