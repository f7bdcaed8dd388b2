using System.Text;

namespace Thaw.Inference.Generation.Templates;

/// <summary>
/// ChatML (<c>&lt;|im_start|&gt;role\n...&lt;|im_end|&gt;\n</c>), as Qwen2.5's and SmolLM2's templates write it (without
/// tools): a conversation that does not open with a system message gets the family's default one.
/// </summary>
internal sealed class ChatMlTemplate(string name, string defaultSystemPrompt) : IChatTemplate
{
    public string Name { get; } = name;

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        ChatTurn[] turns = ChatTurn.From(messages);
        var text = new StringBuilder();
        if (turns[0].Role != ChatTurn.System)
        {
            Append(text, ChatTurn.System, defaultSystemPrompt);
        }

        foreach (ChatTurn turn in turns)
        {
            Append(text, turn.Role, turn.Text);
        }

        if (addGenerationPrompt)
        {
            text.Append("<|im_start|>assistant\n");
        }

        return text.ToString();
    }

    private static void Append(StringBuilder text, string role, string content) =>
        text.Append("<|im_start|>").Append(role).Append('\n').Append(content).Append("<|im_end|>\n");
}
