using Thaw.Inference.Catalog;

namespace Thaw.Inference.Models;

/// <summary>
/// A model of any task, loaded and serving: what <see cref="ModelHost"/> needs to hold it under the memory budget,
/// keep it alive, report it and release it. Each task has one implementation (an embedding model; later a
/// text-generation model with its scheduler), created by that task's <see cref="IModelLoader"/>. What the model
/// does is not the pool's business: callers take the type they asked for from <see cref="ModelHost.AcquireAsync{TModel}"/>.
/// </summary>
public interface ILoadedModel : IAsyncDisposable
{
    string Id { get; }

    ModelTask Task { get; }

    /// <summary>What the model takes from the memory budget (<c>Thaw:Models:MemoryBudgetBytes</c>).</summary>
    long Bytes { get; }

    /// <summary>Where it runs: <c>CUDAExecutionProvider</c>, <c>CPUExecutionProvider</c>, ...</summary>
    string ExecutionProvider { get; }

    /// <summary>True while it holds accepted work: an idle unload waits for it to finish.</summary>
    bool IsBusy { get; }

    /// <summary>What it has done since it loaded, in its task's terms, for <c>/readyz</c> and <c>/v1/models</c>.</summary>
    ModelActivity GetActivity();
}
