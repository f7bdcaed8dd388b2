namespace Thaw.Inference.Jobs;

/// <summary>
/// A written chunk: input lines <c>[FirstLine, FirstLine + Lines)</c> (line indexes count requests, blank lines
/// aside), <see cref="Completed"/> of them in the output file and <see cref="Failed"/> in the error file. Its first
/// line is its identity: writing a chunk at the same line again replaces it. Its marker records exactly this, so a
/// resume skips what was recorded, whatever bounds the next run uses.
/// </summary>
public sealed record BatchChunk(int FirstLine, int Lines, int Completed, int Failed)
{
    /// <summary>The first line after the chunk.</summary>
    public int EndLine => FirstLine + Lines;
}
