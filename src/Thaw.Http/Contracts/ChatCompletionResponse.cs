using System.Text.Json.Serialization;

namespace Thaw.Http.Contracts;

/// <summary>
/// A chat completion (<c>chat.completion</c>) or one chunk of a streamed one (<c>chat.completion.chunk</c>): the same
/// envelope; a chunk's choices carry a <c>delta</c> where a whole answer's carry a <c>message</c>.
/// </summary>
public sealed class ChatCompletionResponse
{
    public required string Id { get; init; }

    public required string Object { get; init; }

    public required long Created { get; init; }

    public required string Model { get; init; }

    public required IReadOnlyList<ChatChoice> Choices { get; init; }

    /// <summary>Always on a whole answer; on a stream only in its last chunk (with <c>include_usage</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CompletionUsage? Usage { get; init; }
}
