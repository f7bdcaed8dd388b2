using System.Text.Json;
using System.Text.Json.Serialization;

namespace Thaw.Inference.Tests.Generation.Templates;

/// <summary>A model family's real Jinja chat template (chat-templates.json), with where it was copied from.</summary>
internal sealed record ChatTemplateFixture(
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("bos_token")] string? BosToken,
    [property: JsonPropertyName("eos_token")] string? EosToken,
    [property: JsonPropertyName("chat_template")] string Template)
{
    public static IReadOnlyList<ChatTemplateFixture> All { get; } = JsonSerializer.Deserialize<ChatTemplateFixture[]>(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Generation", "Templates", "chat-templates.json")))!;
}
