using System.Text.Json.Serialization;

namespace Thaw.Http.Contracts;

/// <summary>
/// A token as OpenAI reports it: its text, its UTF-8 bytes (a byte-level token can hold part of a character, whose
/// text is then U+FFFD), its log-probability and, for a sampled token, the most likely alternatives.
/// </summary>
public sealed class ChatTokenLogprob
{
    public required string Token { get; init; }

    public required float Logprob { get; init; }

    public required IReadOnlyList<int> Bytes { get; init; }

    /// <summary>Absent on the alternatives themselves.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ChatTokenLogprob>? TopLogprobs { get; init; }
}
