using System.Text.Json;

namespace Thaw.Http.Contracts;

/// <summary>
/// The fields <c>/v1/completions</c> and <c>/v1/chat/completions</c> share, with OpenAI's names. Fields whose shape
/// varies (<c>stop</c>: a string or an array) or that Thaw refuses are kept raw, so that validation can name them.
/// Fields no property names are ignored, as OpenAI's own clients expect of a compatible server.
/// </summary>
public abstract class TextGenerationRequest
{
    /// <summary>Required, as in OpenAI's API: a text-generation model of the catalog.</summary>
    public string? Model { get; set; }

    public int? MaxTokens { get; set; }

    public int? N { get; set; }

    public double? Temperature { get; set; }

    public double? TopP { get; set; }

    /// <summary>Thaw extension (vLLM's): sample from the k most likely tokens; 0 keeps them all.</summary>
    public int? TopK { get; set; }

    public long? Seed { get; set; }

    /// <summary>A string or an array of up to four strings.</summary>
    public JsonElement Stop { get; set; }

    public double? FrequencyPenalty { get; set; }

    public double? PresencePenalty { get; set; }

    /// <summary>An object from token id (as a string) to a bias from -100 to 100.</summary>
    public JsonElement LogitBias { get; set; }

    public bool? Stream { get; set; }

    public StreamOptions? StreamOptions { get; set; }

    /// <summary>Accepted and ignored, as in OpenAI's API.</summary>
    public string? User { get; set; }
}
