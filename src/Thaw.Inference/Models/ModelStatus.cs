using Thaw.Inference.Batching;

namespace Thaw.Inference.Models;

/// <summary>A snapshot of one model's state on this instance, with its batchers' counts once loaded.</summary>
public sealed record ModelStatus(
    string Id,
    ModelState State,
    string? Error,
    string? ExecutionProvider,
    ModelLoadTimings? Timings,
    BatchStatistics? Interactive = null,
    BatchStatistics? Bulk = null);
