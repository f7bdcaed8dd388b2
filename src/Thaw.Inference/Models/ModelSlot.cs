using Thaw.Inference.Snapshots;

namespace Thaw.Inference.Models;

/// <summary>One catalog model's place in the pool; every field is guarded by <see cref="ModelHost"/>'s <c>_gate</c>.</summary>
internal sealed class ModelSlot(string id, long bytes)
{
    public string Id { get; } = id;

    /// <summary>What the model takes from the memory budget: <see cref="Catalog.ModelManifest.ReservedBytes"/> until loaded, then what the model says.</summary>
    public long Bytes { get; set; } = bytes;

    /// <summary>The load in flight or done (single-flight: every request shares it); null when cold or unloading.</summary>
    public Task<ILoadedModel>? Load { get; set; }

    public ModelState State { get; set; } = ModelState.Cold;

    public ILoadedModel? Model { get; set; }

    public ModelLoadTimings? Timings { get; set; }

    public bool HasBeenReady { get; set; }

    public string? Error { get; set; }

    public string? ErrorCode { get; set; }

    public DateTimeOffset FailedAt { get; set; }

    /// <summary>When a failed pre-warm load is tried again (null: no retry scheduled).</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    public PublishOutcome? SnapshotPublish { get; set; }

    /// <summary>Requests waiting for the load.</summary>
    public int Waiting { get; set; }

    /// <summary>The use stamp of the latest use: order for least-recently-used eviction (a counter: clocks tie), and what a keep-alive timer checks.</summary>
    public long LastUse { get; set; }

    /// <summary>The unload in progress (the model finishing its accepted work, then releasing its memory).</summary>
    public Task? Unloading { get; set; }
}
