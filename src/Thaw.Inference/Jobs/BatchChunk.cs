namespace Thaw.Inference.Jobs;

/// <summary>
/// A written chunk <see cref="Index"/>: input lines <c>[FirstLine, FirstLine + Lines)</c> (line indexes count
/// requests, blank lines aside), <see cref="Completed"/> of them in the output file and <see cref="Failed"/> in the
/// error file. Its marker records exactly this, so a resume skips what was recorded, whatever bounds the next run uses.
/// </summary>
public sealed record BatchChunk(int Index, int FirstLine, int Lines, int Completed, int Failed)
{
    /// <summary>The first line after the chunk.</summary>
    public int EndLine => FirstLine + Lines;
}
