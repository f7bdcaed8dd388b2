namespace Thaw.Inference.Generation.Scheduling;

/// <summary>
/// The request can never fit a slot: its prompt plus <c>max_tokens</c> is longer than the model's context. Refused
/// at submit (a client error, 400), because a slot reserves the worst case up front and nothing is ever preempted.
/// </summary>
public sealed class ContextLengthExceededException(string name, int promptTokens, int maxTokens, int contextLength)
    : Exception($"'{name}' holds at most {contextLength} tokens per sequence; the prompt has {promptTokens} and max_tokens asks for {maxTokens} more. Shorten the prompt or lower max_tokens.")
{
    public int PromptTokens { get; } = promptTokens;

    public int MaxTokens { get; } = maxTokens;

    public int ContextLength { get; } = contextLength;
}
