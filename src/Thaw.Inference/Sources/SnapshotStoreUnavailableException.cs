namespace Thaw.Inference.Sources;

/// <summary>The snapshot store cannot be used right now; callers fall back to the origin and say so.</summary>
public sealed class SnapshotStoreUnavailableException(string message, Exception? innerException = null)
    : Exception(message, innerException);
