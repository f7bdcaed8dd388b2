using Thaw.Inference.Generation;

namespace Thaw.Http.Contracts;

/// <summary>A text-generation model's scheduler since it loaded: decode steps, tokens, and its KV slots now.</summary>
public sealed class GenerationCounts
{
    public required long Steps { get; init; }

    public required long PromptTokens { get; init; }

    public required long GeneratedTokens { get; init; }

    /// <summary>Tokens sampled per decoder run on average: how many requests shared each step (1: none did).</summary>
    public required double TokensPerStep { get; init; }

    public required long Rejected { get; init; }

    public required int Slots { get; init; }

    public required int Running { get; init; }

    public required int Queued { get; init; }

    public required int ContextLength { get; init; }

    public static GenerationCounts? From(GenerationActivity? a) => a is null ? null : new()
    {
        Steps = a.Scheduler.Steps,
        PromptTokens = a.Scheduler.PromptTokens,
        GeneratedTokens = a.Scheduler.GeneratedTokens,
        TokensPerStep = a.Scheduler.Steps == 0 ? 0 : Math.Round((double)a.Scheduler.GeneratedTokens / a.Scheduler.Steps, 2),
        Rejected = a.Scheduler.Rejected,
        Slots = a.Slots,
        Running = a.Scheduler.Running,
        Queued = a.Scheduler.Queued,
        ContextLength = a.ContextLength,
    };
}
