using System.Globalization;

namespace Thaw.Inference.Generation.Templates;

/// <summary>The built-in chat templates, by the name a model's manifest gives.</summary>
public static class ChatTemplates
{
    private static readonly string[] BuiltIn = ["qwen2.5", "smollm2", "llama3", "llama3.1", "llama3.2", "phi3", "plain"];

    /// <summary>Every name <see cref="Get"/> knows.</summary>
    public static IReadOnlyList<string> Names => BuiltIn;

    /// <summary>The template called <paramref name="name"/>.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="timeProvider">The clock of templates that write today's date (<c>llama3.2</c>); the system clock if null.</param>
    /// <exception cref="ArgumentException">No built-in template has that name; the message lists those that do.</exception>
    public static IChatTemplate Get(string name, TimeProvider? timeProvider = null) => name switch
    {
        "qwen2.5" => ChatMl(name, "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."),
        "smollm2" => ChatMl(name, "You are a helpful AI assistant named SmolLM, trained by Hugging Face"),
        "llama3" => Llama3(name, preamble: null),
        "llama3.1" => Llama3(name, () => KnowledgeCutoff("26 Jul 2024")),

        // strftime_now("%d %b %Y") in the real template; the server's day in UTC here.
        "llama3.2" => Llama3(name, () => KnowledgeCutoff((timeProvider ?? TimeProvider.System).GetUtcNow().UtcDateTime.ToString("dd MMM yyyy", CultureInfo.InvariantCulture))),
        "phi3" => new DelimitedTemplate
        {
            Name = name,
            Header = role => $"<|{role}|>\n",
            Footer = "<|end|>\n",
            Ending = "<|endoftext|>",
            SkipsEmptySystem = true,
        },
        "plain" => new DelimitedTemplate
        {
            Name = name,
            Header = role => $"{char.ToUpperInvariant(role[0])}{role[1..]}: ",
            Footer = "\n\n",
            GenerationPrompt = "Assistant:",
        },
        _ => throw new ArgumentException($"There is no built-in chat template '{name}'; the built-in ones are {string.Join(", ", BuiltIn.Select(n => $"'{n}'"))}.", nameof(name)),
    };

    private static DelimitedTemplate ChatMl(string name, string defaultSystemPrompt) => new()
    {
        Name = name,
        Header = role => $"<|im_start|>{role}\n",
        Footer = "<|im_end|>\n",
        DefaultSystemPrompt = defaultSystemPrompt,
    };

    private static DelimitedTemplate Llama3(string name, Func<string>? preamble) => new()
    {
        Name = name,
        Start = "<|begin_of_text|>",
        Header = role => $"<|start_header_id|>{role}<|end_header_id|>\n\n",
        Footer = "<|eot_id|>",
        SystemPreamble = preamble,
        Trims = true,
    };

    private static string KnowledgeCutoff(string today) => $"Cutting Knowledge Date: December 2023\nToday Date: {today}\n\n";
}
