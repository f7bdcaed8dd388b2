namespace Thaw.Inference.Sources;

/// <summary>A model's file is missing at its origin, unreadable, or its content is not what the manifest says.</summary>
public sealed class ModelSourceException(string modelId, string message, Exception? innerException = null)
    : Exception($"Model '{modelId}': {message}", innerException)
{
    public string ModelId { get; } = modelId;
}
