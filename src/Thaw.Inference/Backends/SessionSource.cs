namespace Thaw.Inference.Backends;

/// <summary>What a session is created from.</summary>
/// <param name="ModelPath">The model file: the source weights, or a snapshot's prepared model.</param>
/// <param name="Prepared">The model is a snapshot, already optimized for this runtime and device: skip optimization.</param>
/// <param name="SnapshotDirectory">
/// With source weights: an empty directory where the backend writes the prepared model while it optimizes, for the
/// snapshot cache to publish (null: do not write one).
/// </param>
public sealed record SessionSource(string ModelPath, bool Prepared = false, string? SnapshotDirectory = null);
