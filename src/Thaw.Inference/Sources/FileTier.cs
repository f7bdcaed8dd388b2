namespace Thaw.Inference.Sources;

/// <summary>Where a model's files came from, fastest first; a load reports the slowest tier it needed.</summary>
public enum FileTier
{
    LocalDisk,
    SnapshotStore,
    Origin,
}
