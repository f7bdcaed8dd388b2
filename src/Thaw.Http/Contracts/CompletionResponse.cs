using System.Text.Json.Serialization;

namespace Thaw.Http.Contracts;

/// <summary>A text completion (<c>text_completion</c>), whole or as one chunk of a stream (the same object, as in OpenAI's API).</summary>
public sealed class CompletionResponse
{
    public required string Id { get; init; }

    public string Object => "text_completion";

    public required long Created { get; init; }

    public required string Model { get; init; }

    public required IReadOnlyList<CompletionChoice> Choices { get; init; }

    /// <summary>Always on a whole answer; on a stream only in its last chunk (with <c>include_usage</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CompletionUsage? Usage { get; init; }
}
