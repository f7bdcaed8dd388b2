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
        "qwen2.5" => new ChatMlTemplate(name, "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."),
        "smollm2" => new ChatMlTemplate(name, "You are a helpful AI assistant named SmolLM, trained by Hugging Face"),
        "llama3" => new Llama3Template(),
        "llama3.1" => new Llama31Template(name, today: null),
        "llama3.2" => new Llama31Template(name, timeProvider ?? TimeProvider.System),
        "phi3" => new Phi3Template(),
        "plain" => new PlainTemplate(),
        _ => throw new ArgumentException($"There is no built-in chat template '{name}'; the built-in ones are {string.Join(", ", BuiltIn.Select(n => $"'{n}'"))}.", nameof(name)),
    };
}
