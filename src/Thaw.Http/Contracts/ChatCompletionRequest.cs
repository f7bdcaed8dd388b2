using System.Text.Json;

namespace Thaw.Http.Contracts;

/// <summary>The body of <c>POST /v1/chat/completions</c>.</summary>
public sealed class ChatCompletionRequest : TextGenerationRequest
{
    /// <summary>An array of <c>{role, content}</c>; content a string or an array of text parts. Kept raw to name the bad item.</summary>
    public JsonElement Messages { get; set; }

    /// <summary>What the OpenAI .NET SDK sends for <c>max_tokens</c>; wins over it when both are given.</summary>
    public int? MaxCompletionTokens { get; set; }

    public bool? Logprobs { get; set; }

    public int? TopLogprobs { get; set; }

    /// <summary>Refused: these models call no tools.</summary>
    public JsonElement Tools { get; set; }

    /// <summary>Refused unless <c>none</c>.</summary>
    public JsonElement ToolChoice { get; set; }

    /// <summary>Refused unless <c>{"type": "text"}</c>.</summary>
    public JsonElement ResponseFormat { get; set; }
}
