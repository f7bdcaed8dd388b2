namespace Thaw.Inference.Generation.Templates;

/// <summary>
/// Turns a conversation into a model's prompt text, as the model family's own Jinja chat template does (Thaw ships
/// them built in: no Jinja engine for .NET is available). Implementations are immutable and thread-safe.
/// </summary>
/// <remarks>
/// The text holds the BOS token's text where the family's template writes one (Llama 3), and nothing else of the
/// tokenizer's framing: tokenize it with special-token text recognized but without adding special tokens, as
/// transformers' <c>apply_chat_template</c> does.
/// </remarks>
public interface IChatTemplate
{
    /// <summary>The name a model's manifest chooses it by: <c>qwen2.5</c>, <c>llama3</c>, ...</summary>
    string Name { get; }

    /// <summary>Renders the conversation.</summary>
    /// <param name="messages">At least one message, roles <c>system</c>, <c>user</c>, <c>assistant</c>, text content only.</param>
    /// <param name="addGenerationPrompt">End with the header that starts the assistant's reply (true for generation).</param>
    /// <exception cref="UnsupportedChatContentException">A message the template cannot render.</exception>
    string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt);
}
