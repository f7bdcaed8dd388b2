namespace Thaw.Inference.Sources;

public static class FileTierNames
{
    /// <summary>The name used in <c>/readyz</c>, logs and benchmarks: <c>local-disk</c>, <c>snapshot-store</c>, <c>origin</c>.</summary>
    public static string ToName(this FileTier tier) => tier switch
    {
        FileTier.LocalDisk => "local-disk",
        FileTier.SnapshotStore => "snapshot-store",
        FileTier.Origin => "origin",
        _ => throw new InvalidOperationException($"Bug: file tier {tier} has no name."),
    };
}
