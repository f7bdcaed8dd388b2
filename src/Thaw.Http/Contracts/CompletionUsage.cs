using Thaw.Inference.Generation.Scheduling;

namespace Thaw.Http.Contracts;

/// <summary>OpenAI's <c>usage</c> of a completion: the prompt once, the tokens of every choice.</summary>
public sealed class CompletionUsage
{
    public required int PromptTokens { get; init; }

    public required int CompletionTokens { get; init; }

    public required int TotalTokens { get; init; }

    public static CompletionUsage From(GenerationUsage usage) => new()
    {
        PromptTokens = usage.PromptTokens,
        CompletionTokens = usage.CompletionTokens,
        TotalTokens = usage.TotalTokens,
    };
}
