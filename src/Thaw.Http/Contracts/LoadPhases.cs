using Thaw.Inference.Models;
using Thaw.Inference.Sources;

namespace Thaw.Http.Contracts;

/// <summary>Milliseconds per load phase.</summary>
public sealed class LoadPhases
{
    /// <summary>Process start to the start of this load.</summary>
    public required double StartedMs { get; init; }

    /// <summary>Process start to the model being ready.</summary>
    public required double ReadyMs { get; init; }

    public required double FilesMs { get; init; }

    /// <summary>The slowest tier that served the files: <c>local-disk</c>, <c>snapshot-store</c> or <c>origin</c>.</summary>
    public required string FilesTier { get; init; }

    /// <summary>Why the snapshot store was skipped (unreachable, refused), else null.</summary>
    public string? SnapshotStoreProblem { get; init; }

    public required long BytesFetched { get; init; }

    public required long BytesVerified { get; init; }

    /// <summary>Fetch throughput (bytes fetched over the files phase), when anything was fetched.</summary>
    public double? FetchMegabytesPerSecond { get; init; }

    public required double TokenizerMs { get; init; }

    public required double SessionMs { get; init; }

    public required double WarmUpMs { get; init; }

    public required double TotalMs { get; init; }

    /// <summary>The prepared-model snapshot's key (null: the backend prepares none on this machine).</summary>
    public string? SnapshotKey { get; init; }

    /// <summary>No snapshot existed in any tier: this load prepared the model from its source files and wrote one.</summary>
    public bool SnapshotBuilt { get; init; }

    public static LoadPhases From(ModelLoadTimings t, DateTimeOffset processStart) => new()
    {
        StartedMs = Math.Round((t.StartedAt - processStart).TotalMilliseconds, 1),
        ReadyMs = Math.Round((t.ReadyAt - processStart).TotalMilliseconds, 1),
        FilesMs = Math.Round(t.Files.TotalMilliseconds, 1),
        FilesTier = t.FilesTier.ToName(),
        SnapshotStoreProblem = t.SnapshotStoreProblem,
        BytesFetched = t.BytesFetched,
        BytesVerified = t.BytesVerified,
        FetchMegabytesPerSecond = t.BytesFetched > 0 && t.Files > TimeSpan.Zero ? Math.Round(t.BytesFetched / 1e6 / t.Files.TotalSeconds, 1) : null,
        TokenizerMs = Math.Round(t.Tokenizer.TotalMilliseconds, 1),
        SessionMs = Math.Round(t.Session.TotalMilliseconds, 1),
        WarmUpMs = Math.Round(t.WarmUp.TotalMilliseconds, 1),
        TotalMs = Math.Round(t.Total.TotalMilliseconds, 1),
        SnapshotKey = t.SnapshotKey,
        SnapshotBuilt = t.SnapshotBuilt,
    };
}
