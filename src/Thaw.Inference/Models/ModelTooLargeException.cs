namespace Thaw.Inference.Models;

/// <summary>
/// The model alone takes more than the memory budget: no eviction can make room, so no retry can load it until the
/// budget or the catalog changes. Not a <see cref="ModelNotReadyException"/>, which tells callers to try again.
/// </summary>
public sealed class ModelTooLargeException(string modelId, long modelBytes, long budget)
    : Exception($"The model '{modelId}' cannot be loaded: Thaw:Models:MemoryBudgetBytes ({budget} bytes) is smaller than the model ({modelBytes} bytes). Raise the budget, or serve the model from an instance with more memory.")
{
    public string ModelId { get; } = modelId;
}
