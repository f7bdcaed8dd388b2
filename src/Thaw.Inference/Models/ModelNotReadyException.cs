namespace Thaw.Inference.Models;

/// <summary>The model is still loading, or its last load failed: try again after <see cref="RetryAfter"/>.</summary>
public sealed class ModelNotReadyException(string modelId, ModelState state, TimeSpan retryAfter, string? reason = null, Exception? innerException = null)
    : Exception(
        reason is null ? $"The model '{modelId}' is still loading; retry after {retryAfter.TotalSeconds:0} s."
        : state == ModelState.Failed ? $"The model '{modelId}' could not be loaded: {reason}"
        : $"The model '{modelId}' is not ready yet: {reason}",
        innerException)
{
    public string ModelId { get; } = modelId;

    public ModelState State { get; } = state;

    public TimeSpan RetryAfter { get; } = retryAfter;
}
