using Thaw.Inference.Sources;

namespace Thaw.Inference.Models;

/// <summary>Where a model's load spent its time.</summary>
/// <param name="Files">Getting verified files onto local disk (from the cache, the snapshot store or the origin).</param>
/// <param name="Tokenizer">Reading the vocabulary.</param>
/// <param name="Session">Creating the inference session (graph optimization, provider initialization).</param>
/// <param name="WarmUp">The first forward pass.</param>
/// <param name="FilesTier">The slowest tier that served a file.</param>
/// <param name="BytesFetched">Bytes copied from the snapshot store or the origin (0 when the local cache held everything).</param>
/// <param name="BytesVerified">Bytes hashed to verify the files.</param>
/// <param name="SnapshotStoreProblem">Why the snapshot store was skipped, if it was.</param>
public sealed record ModelLoadTimings(
    TimeSpan Files,
    TimeSpan Tokenizer,
    TimeSpan Session,
    TimeSpan WarmUp,
    FileTier FilesTier,
    long BytesFetched,
    long BytesVerified,
    string? SnapshotStoreProblem)
{
    public TimeSpan Total => Files + Tokenizer + Session + WarmUp;
}
