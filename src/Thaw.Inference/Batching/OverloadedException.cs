namespace Thaw.Inference.Batching;

/// <summary>The batcher's queue is full: the request was not accepted; retry after <see cref="RetryAfter"/>.</summary>
public sealed class OverloadedException(string name, int queued, int limit, TimeSpan retryAfter)
    : Exception($"'{name}' is overloaded: {queued} inputs are waiting and the limit is {limit}; retry after {retryAfter.TotalSeconds:0.#} s.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
