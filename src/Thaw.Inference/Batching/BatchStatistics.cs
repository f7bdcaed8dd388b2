namespace Thaw.Inference.Batching;

/// <summary>Counts since start, for status pages and tests; the same values go to metrics.</summary>
/// <param name="Batches">Forward passes run (retries of a split batch count too).</param>
/// <param name="Inputs">Inputs that went through those passes.</param>
/// <param name="Rejected">Inputs refused because the queue was full.</param>
/// <param name="Dropped">Inputs whose request was cancelled before their batch ran.</param>
/// <param name="Queued">Inputs waiting for a batch now.</param>
public sealed record BatchStatistics(long Batches, long Inputs, long Rejected, long Dropped, int Queued)
{
    public double MeanBatchSize => Batches == 0 ? 0 : (double)Inputs / Batches;
}
