namespace Thaw.Http.Contracts;

/// <summary>A chat choice's <c>logprobs</c>: one entry per generated token (these models never refuse).</summary>
public sealed class ChatLogprobs
{
    public required IReadOnlyList<ChatTokenLogprob> Content { get; init; }

    public IReadOnlyList<ChatTokenLogprob>? Refusal => null;
}
