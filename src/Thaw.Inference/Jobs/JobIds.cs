namespace Thaw.Inference.Jobs;

/// <summary>
/// Identities. New ids are version-7 GUIDs (time-ordered, so storage listings come out in creation order); the ids
/// of a batch's results derive from the batch id and the line index, so redoing a chunk reproduces them exactly.
/// </summary>
public static class JobIds
{
    public static string NewBatchId(TimeProvider time) => "batch_" + Guid.CreateVersion7(time.GetUtcNow()).ToString("N");

    public static string NewFileId(TimeProvider time) => "file-" + Guid.CreateVersion7(time.GetUtcNow()).ToString("N");

    public static string OutputFileId(string batchId) => $"file-{Key(batchId)}-output";

    public static string ErrorFileId(string batchId) => $"file-{Key(batchId)}-errors";

    public static string RequestId(string batchId, int index) => $"batch_req_{Key(batchId)}_{index}";

    /// <summary>Whether an id from a URL is safe as a file or blob name (letters, digits, '-', '_').</summary>
    public static bool IsWellFormed(string id) =>
        id.Length is > 0 and <= 128 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Key(string batchId) => batchId.StartsWith("batch_", StringComparison.Ordinal) ? batchId[6..] : batchId;
}
