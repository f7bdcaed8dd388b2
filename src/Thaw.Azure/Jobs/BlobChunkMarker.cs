using System.Globalization;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Jobs;

/// <summary>
/// A chunk's marker blob, <c>chunks/{batch}/{first line}</c>: its metadata records the lines the chunk covers, the
/// attempt that wrote it and how many blocks it staged in the output and error blobs. Written last: it says the chunk is whole.
/// </summary>
internal sealed record BlobChunkMarker(BatchChunk Chunk, string Attempt, int OutputBlocks, int ErrorBlocks)
{
    private const string FirstKey = "first";
    private const string LinesKey = "lines";
    private const string CompletedKey = "completed";
    private const string FailedKey = "failed";
    private const string AttemptKey = "attempt";
    private const string OutputBlocksKey = "outputblocks";
    private const string ErrorBlocksKey = "errorblocks";

    public IEnumerable<string> OutputBlockIds => Enumerable.Range(0, OutputBlocks).Select(p => StagedBlocks.BlockId(Chunk.FirstLine, Attempt, p));

    public IEnumerable<string> ErrorBlockIds => Enumerable.Range(0, ErrorBlocks).Select(p => StagedBlocks.BlockId(Chunk.FirstLine, Attempt, p));

    public static Dictionary<string, string> Metadata(BatchChunk chunk, string attempt, int outputBlocks, int errorBlocks) => new()
    {
        [FirstKey] = Text(chunk.FirstLine),
        [LinesKey] = Text(chunk.Lines),
        [CompletedKey] = Text(chunk.Completed),
        [FailedKey] = Text(chunk.Failed),
        [AttemptKey] = attempt,
        [OutputBlocksKey] = Text(outputBlocks),
        [ErrorBlocksKey] = Text(errorBlocks),
    };

    /// <summary>
    /// The marker named by <paramref name="firstLine"/>, or null when its metadata is not a whole marker of that line
    /// (an older version named markers by chunk index).
    /// </summary>
    public static BlobChunkMarker? Parse(int firstLine, IDictionary<string, string> metadata)
    {
        int? Read(string key) => metadata.TryGetValue(key, out string? text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : null;
        return (Read(FirstKey), Read(LinesKey), Read(CompletedKey), Read(FailedKey), Read(OutputBlocksKey), Read(ErrorBlocksKey), metadata.TryGetValue(AttemptKey, out string? attempt)) is
            (int first, int lines, int completed, int failed, int outputBlocks, int errorBlocks, true) && first == firstLine
            ? new BlobChunkMarker(new BatchChunk(first, lines, completed, failed), attempt!, outputBlocks, errorBlocks)
            : null;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
