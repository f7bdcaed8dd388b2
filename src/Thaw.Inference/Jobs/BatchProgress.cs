namespace Thaw.Inference.Jobs;

/// <summary>What is durably written: chunks 0 to <see cref="Chunks"/> - 1, and their line counts.</summary>
public sealed record BatchProgress(int Chunks, int Completed, int Failed)
{
    public static BatchProgress None { get; } = new(0, 0, 0);
}
