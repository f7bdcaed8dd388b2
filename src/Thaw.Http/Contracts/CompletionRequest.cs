using System.Text.Json;

namespace Thaw.Http.Contracts;

/// <summary>The body of <c>POST /v1/completions</c> (OpenAI's legacy text completions).</summary>
public sealed class CompletionRequest : TextGenerationRequest
{
    /// <summary>A string, or an array holding one string. Kept raw to explain the shapes Thaw refuses.</summary>
    public JsonElement Prompt { get; set; }

    /// <summary>The number of most likely alternatives to report with each token (0 reports the token's own only).</summary>
    public int? Logprobs { get; set; }

    /// <summary>Refused when true.</summary>
    public bool? Echo { get; set; }

    /// <summary>Refused above 1.</summary>
    public int? BestOf { get; set; }

    /// <summary>Refused unless empty: these models do not fill in the middle.</summary>
    public string? Suffix { get; set; }
}
