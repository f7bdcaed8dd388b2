using Thaw.Inference.Catalog;

namespace Thaw.Inference.Models;

/// <summary>The loader of each task, as registered (<c>IModelLoader</c> services): the pool's only knowledge of tasks.</summary>
public sealed class ModelLoaders
{
    private readonly Dictionary<ModelTask, IModelLoader> _loaders;

    /// <exception cref="ArgumentException">Two loaders claim the same task.</exception>
    public ModelLoaders(IEnumerable<IModelLoader> loaders)
    {
        _loaders = [];
        foreach (IModelLoader loader in loaders)
        {
            if (!_loaders.TryAdd(loader.Task, loader))
            {
                throw new ArgumentException($"Two model loaders for the task '{loader.Task}': {_loaders[loader.Task].GetType().Name} and {loader.GetType().Name}.", nameof(loaders));
            }
        }
    }

    /// <exception cref="InvalidOperationException">No loader is registered for the model's task (a composition bug).</exception>
    public IModelLoader For(ModelManifest manifest) =>
        _loaders.TryGetValue(manifest.Task, out IModelLoader? loader)
            ? loader
            : throw new InvalidOperationException($"Bug: no model loader is registered for the task '{manifest.Task}' of model '{manifest.Id}'.");
}
