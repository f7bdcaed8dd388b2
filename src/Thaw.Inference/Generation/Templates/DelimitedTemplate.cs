using System.Text;

namespace Thaw.Inference.Generation.Templates;

/// <summary>
/// The shape the families' templates share (ChatML, Llama 3, Phi-3, plain): an optional start (BOS), then each
/// message between a header naming its role and a footer, then the assistant's header as the generation prompt.
/// What differs between families is data: the delimiters, a system message they add, trimming, and what to do with
/// an empty system message or without the generation prompt.
/// </summary>
internal sealed class DelimitedTemplate : IChatTemplate
{
    public required string Name { get; init; }

    /// <summary>Written before the first message (the BOS text where the family's template writes it).</summary>
    public string Start { get; init; } = "";

    /// <summary>Opens a message of the given role.</summary>
    public required Func<string, string> Header { get; init; }

    /// <summary>Closes every message.</summary>
    public required string Footer { get; init; }

    /// <summary>Cues the assistant's reply; the assistant's header when null.</summary>
    public string? GenerationPrompt { get; init; }

    /// <summary>Ends a conversation rendered without the generation prompt (Phi-3 writes its EOS there).</summary>
    public string Ending { get; init; } = "";

    /// <summary>The system message the family's template adds when the conversation does not open with one.</summary>
    public string? DefaultSystemPrompt { get; init; }

    /// <summary>
    /// Text that opens a system message written first whatever the conversation (Llama 3.1's knowledge cutoff and
    /// date); the conversation's opening system message follows it there. Called at each render.
    /// </summary>
    public Func<string>? SystemPreamble { get; init; }

    /// <summary>Leave out a system message whose content is empty (Phi-3 tests the content's truth).</summary>
    public bool SkipsEmptySystem { get; init; }

    /// <summary>Jinja's <c>trim</c> on every message's content (Llama 3).</summary>
    public bool Trims { get; init; }

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        ChatTurn[] turns = ChatTurn.From(messages);
        bool opensWithSystem = turns[0].Role == ChatTurn.System;
        var text = new StringBuilder(Start);
        int first = 0;
        if (SystemPreamble is not null)
        {
            Append(text, ChatTurn.System, SystemPreamble() + (opensWithSystem ? Content(turns[0]) : ""));
            first = opensWithSystem ? 1 : 0;
        }
        else if (DefaultSystemPrompt is not null && !opensWithSystem)
        {
            Append(text, ChatTurn.System, DefaultSystemPrompt);
        }

        foreach (ChatTurn turn in turns.AsSpan(first))
        {
            if (!(SkipsEmptySystem && turn.Role == ChatTurn.System && turn.Text.Length == 0))
            {
                Append(text, turn.Role, Content(turn));
            }
        }

        return text.Append(addGenerationPrompt ? GenerationPrompt ?? Header(ChatTurn.Assistant) : Ending).ToString();
    }

    private string Content(ChatTurn turn) => Trims ? ChatTurn.Trim(turn.Text) : turn.Text;

    private void Append(StringBuilder text, string role, string content) =>
        text.Append(Header(role)).Append(content).Append(Footer);
}
