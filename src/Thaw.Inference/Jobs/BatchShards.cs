namespace Thaw.Inference.Jobs;

/// <summary>
/// How a batch of more than <see cref="JobsOptions.ShardLines"/> lines was split: shard s is lines
/// <c>[s * ShardLines, min((s + 1) * ShardLines, Total))</c>, one job message each. Pinned in the batch record when it
/// is split, so every instance agrees on the shards whatever its own setting. <see cref="Assembler"/> is the shard
/// whose worker won the move to <c>finalizing</c> (a conditional update) and joins the output: exactly one.
/// </summary>
public sealed record BatchShards(int ShardLines, int Count, int Total)
{
    public int? Assembler { get; init; }

    public static BatchShards Split(int total, int shardLines) => new(shardLines, (int)(((long)total + shardLines - 1) / shardLines), total);

    public LineRange Range(int shard) =>
        new((int)Math.Min((long)shard * ShardLines, Total), (int)Math.Min((long)(shard + 1) * ShardLines, Total));

    public IReadOnlyList<LineRange> Ranges() => [.. Enumerable.Range(0, Count).Select(Range)];
}
