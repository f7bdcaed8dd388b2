namespace Thaw.Inference.Jobs;

/// <summary>Input lines <c>[Start, End)</c> (request indexes): a shard of a batch, or a whole unsharded batch.</summary>
public sealed record LineRange(int Start, int End)
{
    /// <summary>Every line from 0: an unsharded batch, whose end only its run knows.</summary>
    public static LineRange All { get; } = new(0, int.MaxValue);
}
