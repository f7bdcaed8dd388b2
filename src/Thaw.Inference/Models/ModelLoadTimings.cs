using Thaw.Inference.Sources;

namespace Thaw.Inference.Models;

/// <summary>Where a model's load spent its time.</summary>
/// <param name="StartedAt">When the load began.</param>
/// <param name="Total">From the start of the load to ready, as measured: the tokenizer is read while the session is
/// created, so the phases overlap and may add up to more.</param>
/// <param name="Files">Looking up the snapshot and getting verified files onto local disk (from the cache, the snapshot store or the origin).</param>
/// <param name="Tokenizer">Reading the vocabulary.</param>
/// <param name="Session">Runtime and provider initialization and creating the inference session (without a snapshot also graph optimization and writing the snapshot).</param>
/// <param name="WarmUp">The warm-up forward passes.</param>
/// <param name="FilesTier">The slowest tier that served a file.</param>
/// <param name="BytesFetched">Bytes copied from the snapshot store or the origin (0 when the local cache held everything).</param>
/// <param name="BytesVerified">Bytes hashed to verify the files.</param>
/// <param name="SnapshotStoreProblem">Why the snapshot store was skipped, if it was.</param>
/// <param name="SnapshotKey">The key of the prepared-model snapshot this load used or built (null: the backend prepares none here).</param>
/// <param name="SnapshotBuilt">No snapshot existed: this load prepared the model from its source weights and wrote one.</param>
public sealed record ModelLoadTimings(
    DateTimeOffset StartedAt,
    TimeSpan Total,
    TimeSpan Files,
    TimeSpan Tokenizer,
    TimeSpan Session,
    TimeSpan WarmUp,
    FileTier FilesTier,
    long BytesFetched,
    long BytesVerified,
    string? SnapshotStoreProblem,
    string? SnapshotKey = null,
    bool SnapshotBuilt = false)
{
    /// <summary>When the model became ready.</summary>
    public DateTimeOffset ReadyAt => StartedAt + Total;
}
