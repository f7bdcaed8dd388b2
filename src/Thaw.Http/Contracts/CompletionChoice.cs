namespace Thaw.Http.Contracts;

public sealed class CompletionChoice
{
    public required string Text { get; init; }

    public required int Index { get; init; }

    public required CompletionLogprobs? Logprobs { get; init; }

    /// <summary><c>stop</c> or <c>length</c>; null on a chunk before the choice's last.</summary>
    public required string? FinishReason { get; init; }
}
