namespace Thaw.Inference.Catalog;

/// <summary>A request named a model that the catalog does not have.</summary>
public sealed class ModelNotFoundException(string modelId, IEnumerable<string> knownIds)
    : Exception($"The model '{modelId}' does not exist. Known models: {string.Join(", ", knownIds)}.")
{
    public string ModelId { get; } = modelId;
}
