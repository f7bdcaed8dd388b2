using System.Text.Json.Serialization;

namespace Thaw.Http.Contracts;

/// <summary>The assistant's <c>message</c>, or a chunk's <c>delta</c> (the role in a choice's first chunk only).</summary>
public sealed class ChatMessageBody
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Role { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Content { get; init; }
}
