namespace Thaw.Inference.Jobs;

/// <summary>The job queue is at its bound; nothing was queued.</summary>
public sealed class JobQueueFullException(int capacity)
    : Exception($"The job queue holds {capacity} jobs, its limit (Thaw:Jobs:QueueCapacity); retry later.");
