using Thaw.Inference.Snapshots;

namespace Thaw.Inference.Models;

/// <summary>A finished load: the serving model, where the load spent its time, and work that may wait until it serves.</summary>
/// <param name="Model">The loaded model, owned by whoever asked for the load.</param>
/// <param name="Timings">The load's phases (the cold-start report of <c>/readyz</c>).</param>
/// <param name="FinishAsync">
/// Work that would only have delayed the load (committing and publishing the snapshot it prepared); the pool runs it
/// in the background once the model serves. Its failure never fails the model. Null: nothing left to do.
/// </param>
public sealed record ModelLoad(ILoadedModel Model, ModelLoadTimings Timings, Func<CancellationToken, Task<PublishOutcome>>? FinishAsync = null);
