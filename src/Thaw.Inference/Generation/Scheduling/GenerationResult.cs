namespace Thaw.Inference.Generation.Scheduling;

/// <summary>How a generation ended: its finish reason and token counts.</summary>
public sealed record GenerationResult(FinishReason FinishReason, GenerationUsage Usage);
