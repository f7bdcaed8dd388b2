using System.Text.Encodings.Web;
using System.Text.Json;

namespace Thaw.Http.Contracts;

/// <summary>The serializer for everything Thaw writes: snake_case, source-generated, and readable (no \u0027 for quotes).</summary>
public static class ThawJson
{
    /// <summary>JSON bodies are never embedded in HTML, so the relaxed encoder is safe and keeps messages legible.</summary>
    public static ThawJsonContext Context { get; } = new(new JsonSerializerOptions(ThawJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
