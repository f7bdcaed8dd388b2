using Thaw.Inference.Hosting;

namespace Thaw.Inference.Jobs;

/// <summary>
/// One line of a JSONL file without its line break: its bytes, or — for a line longer than the reader's bound —
/// only its <see cref="Length"/> (such a line is skipped, never held in memory).
/// </summary>
internal readonly record struct JsonLine(ReadOnlyMemory<byte> Text, long Length)
{
    public bool IsTooLong => Length > Text.Length;

    /// <summary>Blank: nothing but spaces and tabs (a line that is too long is not blank).</summary>
    /// <summary>The first line of a file, without the byte order mark it may start with.</summary>
    public JsonLine WithoutByteOrderMark() =>
        IsTooLong ? this : new JsonLine(Text[(Text.Length - JsonBodyRules.Content(Text.Span).Length)..], Length - (Text.Length - JsonBodyRules.Content(Text.Span).Length));

    public bool IsBlank => !IsTooLong && Text.Span.IndexOfAnyExcept(" \t"u8) < 0;
}
