using System.Text.Json;

namespace Thaw.Http.Contracts;

/// <summary>The body of <c>POST /v1/embeddings</c> (OpenAI-compatible, plus <c>input_type</c>).</summary>
public sealed class EmbeddingsRequest
{
    /// <summary>A string or an array of strings; kept raw so that validation can name the bad item.</summary>
    public JsonElement Input { get; set; }

    public string? Model { get; set; }

    /// <summary><c>float</c> (default) or <c>base64</c> (little-endian float32).</summary>
    public string? EncodingFormat { get; set; }

    /// <summary>Accepted when it equals the model's dimensions (no truncation of vectors).</summary>
    public int? Dimensions { get; set; }

    /// <summary>Accepted and ignored, as in OpenAI's API.</summary>
    public string? User { get; set; }

    /// <summary>Thaw extension: <c>query</c> or <c>document</c> (default), for models with prefixes.</summary>
    public string? InputType { get; set; }
}
