namespace Thaw.Inference.Snapshots;

/// <summary>One file of a snapshot, by name within its directory and by content.</summary>
public sealed record SnapshotFile(string Name, string Sha256, long Size);
