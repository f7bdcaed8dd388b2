using System.Text.Json.Serialization;

namespace Thaw.Http.Contracts;

/// <summary>One choice: its <c>message</c> in a whole answer, its <c>delta</c> in a chunk; <c>finish_reason</c> when it ended.</summary>
public sealed class ChatChoice
{
    public required int Index { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ChatMessageBody? Message { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ChatMessageBody? Delta { get; init; }

    public required ChatLogprobs? Logprobs { get; init; }

    /// <summary><c>stop</c> or <c>length</c>; null on a chunk before the choice's last.</summary>
    public required string? FinishReason { get; init; }
}
