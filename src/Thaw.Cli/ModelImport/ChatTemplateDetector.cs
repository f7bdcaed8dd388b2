using System.Text.Json;

namespace Thaw.Cli.ModelImport;

/// <summary>
/// Picks the built-in chat template (<c>ChatTemplates.Names</c>) whose format a folder's Jinja <c>chat_template</c>
/// writes, by the markers each format uses: Thaw has no Jinja engine, so a template is recognized, never run.
/// </summary>
internal static class ChatTemplateDetector
{
    /// <summary>
    /// The built-in template for <paramref name="jinja"/>, or null when no built-in format matches. <paramref name="modelType"/>
    /// (config.json's <c>model_type</c>) tells Qwen's ChatML from SmolLM's, which differ in their default system prompt.
    /// </summary>
    public static string? Detect(string jinja, string? modelType)
    {
        if (jinja.Contains("<|im_start|>", StringComparison.Ordinal))
        {
            bool qwen = jinja.Contains("You are Qwen", StringComparison.Ordinal)
                || (!jinja.Contains("SmolLM", StringComparison.Ordinal) && modelType?.StartsWith("qwen", StringComparison.OrdinalIgnoreCase) == true);
            return qwen ? "qwen2.5" : "smollm2";
        }

        if (jinja.Contains("<|start_header_id|>", StringComparison.Ordinal))
        {
            // 3.2 writes today's date (strftime_now); 3.1 a fixed "Today Date" after its knowledge cutoff; 3 neither.
            return jinja.Contains("strftime_now", StringComparison.Ordinal) ? "llama3.2"
                : jinja.Contains("Cutting Knowledge Date", StringComparison.Ordinal) ? "llama3.1"
                : "llama3";
        }

        return jinja.Contains("<|user|>", StringComparison.Ordinal) && jinja.Contains("<|end|>", StringComparison.Ordinal) ? "phi3" : null;
    }

    /// <summary>The token that ends an assistant turn in <paramref name="template"/>'s format, which must stop generation too.</summary>
    public static string? EndOfTurn(string template) => template switch
    {
        "qwen2.5" or "smollm2" => "<|im_end|>",
        "llama3" or "llama3.1" or "llama3.2" => "<|eot_id|>",
        "phi3" => "<|end|>",
        _ => null,
    };

    /// <summary>
    /// <c>tokenizer_config.json</c>'s <c>chat_template</c>: a string, or a list of named templates (the one named
    /// <c>default</c>); null when there is none.
    /// </summary>
    public static string? Read(FolderJson? tokenizerConfig) => tokenizerConfig?.Find("chat_template") switch
    {
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { ValueKind: JsonValueKind.Array } list => list.EnumerateArray()
            .Where(t => t.ValueKind == JsonValueKind.Object && t.TryGetProperty("name", out JsonElement n) && n.ValueEquals("default"))
            .Select(t => t.TryGetProperty("template", out JsonElement body) ? body.GetString() : null)
            .FirstOrDefault(),
        _ => null,
    };
}
