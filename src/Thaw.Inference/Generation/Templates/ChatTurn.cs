namespace Thaw.Inference.Generation.Templates;

/// <summary>A checked message: a supported role and its text (the text parts joined by newlines, as vLLM joins them).</summary>
internal readonly record struct ChatTurn(string Role, string Text)
{
    public const string System = "system";
    public const string User = "user";
    public const string Assistant = "assistant";

    /// <exception cref="UnsupportedChatContentException">No messages, an unsupported role, or a content part that is not text.</exception>
    public static ChatTurn[] From(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            throw new UnsupportedChatContentException("messages", "'messages' must hold at least one message.");
        }

        var turns = new ChatTurn[messages.Count];
        for (int i = 0; i < messages.Count; i++)
        {
            ChatMessage message = messages[i];
            if (message.Role is not (System or User or Assistant))
            {
                throw new UnsupportedChatContentException($"messages[{i}].role",
                    $"'messages[{i}].role' is '{message.Role}'; this model takes only 'system', 'user' and 'assistant' messages (no tools).");
            }

            for (int j = 0; j < message.Content.Count; j++)
            {
                if (message.Content[j] is not { Type: "text", Text: not null })
                {
                    throw new UnsupportedChatContentException($"messages[{i}].content[{j}].type",
                        $"'messages[{i}].content[{j}]' is of type '{message.Content[j].Type}'; this model reads text only, so every content part must be of type 'text' with a 'text'.");
                }
            }

            turns[i] = new ChatTurn(message.Role, string.Join('\n', message.Content.Select(part => part.Text)));
        }

        return turns;
    }

    /// <summary>
    /// Jinja's <c>trim</c> as the models' templates run it in transformers: Python's <c>str.strip()</c>, whose whitespace
    /// is .NET's plus the four information separators U+001C to U+001F.
    /// </summary>
    public static string Trim(string text)
    {
        int start = 0, end = text.Length;
        while (start < end && IsPythonWhitespace(text[start]))
        {
            start++;
        }

        while (end > start && IsPythonWhitespace(text[end - 1]))
        {
            end--;
        }

        return text[start..end];
    }

    private static bool IsPythonWhitespace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';
}
