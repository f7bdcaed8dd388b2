using Thaw.Inference.Models;
using Thaw.Inference.Snapshots;

namespace Thaw.Http.Contracts;

public sealed class ModelReadiness
{
    public required string Id { get; init; }

    public required ModelState State { get; init; }

    public required bool Prewarm { get; init; }

    /// <summary>Why the last load failed, as a category (<c>model_source_failed</c>, <c>io_error</c>, ...); the details are in the log and in <c>GET /v1/models</c>.</summary>
    public string? Error { get; init; }

    /// <summary>When a failed pre-warm load is tried again (it is retried with back-off until ready); null unless one is scheduled.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    public string? ExecutionProvider { get; init; }

    public LoadPhases? Load { get; init; }

    /// <summary>An embedding model's interactive batcher counts since it loaded (null while not loaded, and for other tasks).</summary>
    public BatchingCounts? Batching { get; init; }

    /// <summary>A text-generation model's scheduler counts since it loaded (null while not loaded, and for other tasks).</summary>
    public GenerationCounts? Generation { get; init; }

    /// <summary>
    /// When this instance built the snapshot: what publishing it to the store did (<c>published</c>,
    /// <c>already_published</c>, <c>published_by_another</c>, <c>no_store</c>, <c>store_unavailable</c>); null until done.
    /// </summary>
    public PublishOutcome? SnapshotPublish { get; init; }
}
