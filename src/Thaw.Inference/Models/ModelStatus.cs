using Thaw.Inference.Snapshots;

namespace Thaw.Inference.Models;

/// <summary>
/// One model's state on this instance, with what it has done once loaded (<see cref="Activity"/>, in its task's terms) and, when its load built a snapshot,
/// what publishing that snapshot to the store did (null until done). <see cref="HasBeenReady"/>: it was ready on this
/// instance at least once (an idle unload does not make the instance unready). <see cref="Bytes"/>: what it takes
/// from the memory budget. <see cref="Error"/> is the failed load's message (for the log and authenticated callers);
/// <see cref="ErrorCode"/> its category (<see cref="ModelLoadError"/>), safe to show anyone. <see cref="NextAttemptAt"/>:
/// when a failed pre-warm load is tried again (null unless one is scheduled).
/// </summary>
public sealed record ModelStatus(
    string Id,
    ModelState State,
    string? Error,
    string? ExecutionProvider,
    ModelLoadTimings? Timings,
    ModelActivity? Activity = null,
    PublishOutcome? SnapshotPublish = null,
    bool HasBeenReady = false,
    long Bytes = 0,
    string? ErrorCode = null,
    DateTimeOffset? NextAttemptAt = null);
