using Thaw.Inference.Batching;

namespace Thaw.Http.Contracts;

public sealed class BatchingCounts
{
    public required long Batches { get; init; }

    public required long Inputs { get; init; }

    public required double MeanBatchSize { get; init; }

    public required long Rejected { get; init; }

    public required long Dropped { get; init; }

    public required int Queued { get; init; }

    public static BatchingCounts? From(BatchStatistics? s) => s is null ? null : new()
    {
        Batches = s.Batches,
        Inputs = s.Inputs,
        MeanBatchSize = Math.Round(s.MeanBatchSize, 2),
        Rejected = s.Rejected,
        Dropped = s.Dropped,
        Queued = s.Queued,
    };
}
