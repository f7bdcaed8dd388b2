using Thaw.Inference.Batching;
using Thaw.Inference.Models;

namespace Thaw.Http.Contracts;

/// <summary>The <c>/readyz</c> body: per-model state and this instance's cold-start timings.</summary>
public sealed class ReadinessResponse
{
    /// <summary><c>ready</c> when every pre-warm model is ready, else <c>loading</c> or <c>failed</c>.</summary>
    public required string Status { get; init; }

    public required IReadOnlyList<ModelReadiness> Models { get; init; }

    public required InstanceReadiness Instance { get; init; }
}

public sealed class ModelReadiness
{
    public required string Id { get; init; }

    public required ModelState State { get; init; }

    public required bool Prewarm { get; init; }

    public string? Error { get; init; }

    public string? ExecutionProvider { get; init; }

    public LoadPhases? Load { get; init; }

    /// <summary>The interactive batcher's counts since the model loaded (null while not loaded).</summary>
    public BatchingCounts? Batching { get; init; }
}

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

/// <summary>Milliseconds per load phase.</summary>
public sealed class LoadPhases
{
    public required double FilesMs { get; init; }

    /// <summary>The tier that served the files: <c>local-disk</c> or <c>origin</c>.</summary>
    public required string FilesTier { get; init; }

    public required long BytesFetched { get; init; }

    public required long BytesVerified { get; init; }

    public required double TokenizerMs { get; init; }

    public required double SessionMs { get; init; }

    public required double WarmUpMs { get; init; }

    public required double TotalMs { get; init; }

    public static LoadPhases From(ModelLoadTimings t) => new()
    {
        FilesMs = Math.Round(t.Files.TotalMilliseconds, 1),
        FilesTier = t.FilesTier,
        BytesFetched = t.BytesFetched,
        BytesVerified = t.BytesVerified,
        TokenizerMs = Math.Round(t.Tokenizer.TotalMilliseconds, 1),
        SessionMs = Math.Round(t.Session.TotalMilliseconds, 1),
        WarmUpMs = Math.Round(t.WarmUp.TotalMilliseconds, 1),
        TotalMs = Math.Round(t.Total.TotalMilliseconds, 1),
    };
}

public sealed class InstanceReadiness
{
    public required DateTimeOffset ProcessStart { get; init; }

    /// <summary>Process start to host ready (listening).</summary>
    public double? HostReadyMs { get; init; }

    /// <summary>Process start to the first API request.</summary>
    public double? FirstRequestMs { get; init; }
}
