using System.Globalization;
using System.Text;

namespace Thaw.Inference.Generation.Templates;

/// <summary>
/// Llama 3.1's and 3.2's template (without tools): a system header always, holding the knowledge cutoff, a date and
/// the system message if the conversation opens with one, then the other messages as in Llama 3. Llama 3.1's date is
/// fixed; Llama 3.2's is today's (<c>strftime_now("%d %b %Y")</c>), read here from the clock in UTC.
/// </summary>
internal sealed class Llama31Template(string name, TimeProvider? today) : IChatTemplate
{
    public string Name { get; } = name;

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        ChatTurn[] turns = ChatTurn.From(messages);
        string date = today is null ? "26 Jul 2024" : today.GetUtcNow().UtcDateTime.ToString("dd MMM yyyy", CultureInfo.InvariantCulture);
        bool opensWithSystem = turns[0].Role == ChatTurn.System;
        var text = new StringBuilder(Llama3Template.BeginOfText);
        Llama3Template.AppendTurn(text, ChatTurn.System,
            $"Cutting Knowledge Date: December 2023\nToday Date: {date}\n\n{(opensWithSystem ? ChatTurn.Trim(turns[0].Text) : "")}");
        foreach (ChatTurn turn in turns.AsSpan(opensWithSystem ? 1 : 0))
        {
            Llama3Template.AppendTurn(text, turn.Role, ChatTurn.Trim(turn.Text));
        }

        if (addGenerationPrompt)
        {
            Llama3Template.AppendHeader(text, ChatTurn.Assistant);
        }

        return text.ToString();
    }
}
