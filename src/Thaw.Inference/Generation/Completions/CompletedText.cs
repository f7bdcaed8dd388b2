using Thaw.Inference.Generation.Scheduling;

namespace Thaw.Inference.Generation.Completions;

/// <summary>Every choice of a completion, in index order, and the request's token counts.</summary>
public sealed record CompletedText(IReadOnlyList<CompletedChoice> Choices, GenerationUsage Usage);
