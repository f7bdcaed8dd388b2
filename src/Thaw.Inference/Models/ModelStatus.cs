namespace Thaw.Inference.Models;

/// <summary>A snapshot of one model's state on this instance.</summary>
public sealed record ModelStatus(string Id, ModelState State, string? Error, string? ExecutionProvider, ModelLoadTimings? Timings);
