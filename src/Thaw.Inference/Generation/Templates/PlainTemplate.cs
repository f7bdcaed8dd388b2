using System.Text;

namespace Thaw.Inference.Generation.Templates;

/// <summary>
/// For a model without a chat template (a base model): <c>User: text</c> paragraphs and an <c>Assistant:</c> cue, no
/// special tokens. Its Jinja twin in the tests is its specification.
/// </summary>
internal sealed class PlainTemplate : IChatTemplate
{
    public string Name => "plain";

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        var text = new StringBuilder();
        foreach (ChatTurn turn in ChatTurn.From(messages))
        {
            text.Append(char.ToUpperInvariant(turn.Role[0])).Append(turn.Role.AsSpan(1)).Append(": ").Append(turn.Text).Append("\n\n");
        }

        return (addGenerationPrompt ? text.Append("Assistant:") : text).ToString();
    }
}
