using Thaw.Inference.Models;

namespace Thaw.Http.Contracts;

public sealed class ModelReadiness
{
    public required string Id { get; init; }

    public required ModelState State { get; init; }

    public required bool Prewarm { get; init; }

    public string? Error { get; init; }

    public string? ExecutionProvider { get; init; }

    public LoadPhases? Load { get; init; }

    /// <summary>The interactive batcher's counts since the model loaded (null while not loaded).</summary>
    public BatchingCounts? Batching { get; init; }
}
