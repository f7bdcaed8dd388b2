using System.Text;

namespace Thaw.Inference.Generation.Templates;

/// <summary>Meta-Llama-3-Instruct's template: BOS, then each message under its role's header, its content trimmed.</summary>
internal sealed class Llama3Template : IChatTemplate
{
    internal const string BeginOfText = "<|begin_of_text|>";

    public string Name => "llama3";

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        var text = new StringBuilder(BeginOfText);
        foreach (ChatTurn turn in ChatTurn.From(messages))
        {
            AppendTurn(text, turn.Role, ChatTurn.Trim(turn.Text));
        }

        if (addGenerationPrompt)
        {
            AppendHeader(text, ChatTurn.Assistant);
        }

        return text.ToString();
    }

    internal static void AppendTurn(StringBuilder text, string role, string content) =>
        AppendHeader(text, role).Append(content).Append("<|eot_id|>");

    internal static StringBuilder AppendHeader(StringBuilder text, string role) =>
        text.Append("<|start_header_id|>").Append(role).Append("<|end_header_id|>\n\n");
}
