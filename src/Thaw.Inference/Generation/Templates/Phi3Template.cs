using System.Text;

namespace Thaw.Inference.Generation.Templates;

/// <summary>
/// Phi-3's template (<c>&lt;|user|&gt;\n...&lt;|end|&gt;\n</c>): an empty system message is left out, and a conversation
/// rendered without the generation prompt ends with the EOS token's text, as the family's template writes it.
/// </summary>
internal sealed class Phi3Template : IChatTemplate
{
    public string Name => "phi3";

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        var text = new StringBuilder();
        foreach (ChatTurn turn in ChatTurn.From(messages))
        {
            if (turn.Role != ChatTurn.System || turn.Text.Length > 0)
            {
                text.Append("<|").Append(turn.Role).Append("|>\n").Append(turn.Text).Append("<|end|>\n");
            }
        }

        return text.Append(addGenerationPrompt ? "<|assistant|>\n" : "<|endoftext|>").ToString();
    }
}
