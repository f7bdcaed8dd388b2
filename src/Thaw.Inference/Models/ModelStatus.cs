using Thaw.Inference.Batching;
using Thaw.Inference.Snapshots;

namespace Thaw.Inference.Models;

/// <summary>
/// One model's state on this instance, with its batchers' counts once loaded and, when its load built a snapshot,
/// what publishing that snapshot to the store did (null until done).
/// </summary>
public sealed record ModelStatus(
    string Id,
    ModelState State,
    string? Error,
    string? ExecutionProvider,
    ModelLoadTimings? Timings,
    BatchStatistics? Interactive = null,
    BatchStatistics? Bulk = null,
    PublishOutcome? SnapshotPublish = null);
