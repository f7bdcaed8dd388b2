namespace Thaw.Inference.Models;

/// <summary>Where a model's load spent its time.</summary>
/// <param name="Files">Fetching files from the origin into the local cache, or verifying the cached ones.</param>
/// <param name="Tokenizer">Reading the vocabulary.</param>
/// <param name="Session">Creating the inference session (graph optimization, provider initialization).</param>
/// <param name="WarmUp">The first forward pass.</param>
/// <param name="BytesFetched">Bytes copied from the origin (0 when the local cache held everything).</param>
/// <param name="BytesVerified">Bytes hashed to verify the files.</param>
public sealed record ModelLoadTimings(TimeSpan Files, TimeSpan Tokenizer, TimeSpan Session, TimeSpan WarmUp, long BytesFetched, long BytesVerified)
{
    public TimeSpan Total => Files + Tokenizer + Session + WarmUp;

    /// <summary>The tier that served the files: <c>local-disk</c> or <c>origin</c>.</summary>
    public string FilesTier => BytesFetched == 0 ? "local-disk" : "origin";
}
