namespace Thaw.Inference.Batching;

/// <summary>The batcher is draining for shutdown and takes no new work.</summary>
public sealed class BatcherClosedException(string name)
    : Exception($"'{name}' is shutting down and takes no new work.");
