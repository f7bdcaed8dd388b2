using Thaw.Inference.Sources;

namespace Thaw.Inference.Snapshots;

/// <summary>What looking for a snapshot found.</summary>
/// <param name="Snapshot">The snapshot on local disk, or null on a miss (the caller builds one).</param>
/// <param name="Tier">Where it came from (<see cref="FileTier.Origin"/> on a miss).</param>
/// <param name="BytesFetched">Bytes downloaded from the store.</param>
/// <param name="BytesVerified">Bytes hashed.</param>
/// <param name="StoreProblem">Why the store was skipped, when it was unreachable.</param>
public sealed record SnapshotLookup(LocalSnapshot? Snapshot, FileTier Tier, long BytesFetched, long BytesVerified, string? StoreProblem);
