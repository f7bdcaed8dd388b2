using Thaw.Inference.Catalog;

namespace Thaw.Inference.Models;

/// <summary>
/// Loads the models of one task: files, snapshot, session and warm-up, timed phase by phase. <see cref="ModelHost"/>
/// picks the loader by the catalog entry's <see cref="ModelManifest.Task"/> (<see cref="ModelLoaders"/>), so a new
/// task brings a loader and a model type, and the pool stays as it is.
/// </summary>
public interface IModelLoader
{
    /// <summary>The task whose models this loader loads.</summary>
    ModelTask Task { get; }

    /// <summary>Loads <paramref name="manifest"/>'s model; the caller owns the result and disposes its model.</summary>
    Task<ModelLoad> LoadAsync(ModelManifest manifest, CancellationToken cancellationToken = default);
}
