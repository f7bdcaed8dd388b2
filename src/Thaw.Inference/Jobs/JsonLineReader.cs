using System.Runtime.CompilerServices;

namespace Thaw.Inference.Jobs;

/// <summary>
/// Splits a stream into lines (<c>\n</c>, a <c>\r</c> before it dropped) in a buffer that grows to at most the
/// longest allowed line: a longer line is counted and skipped, so one huge line never sits in memory.
/// </summary>
internal static class JsonLineReader
{
    private const int ReadBytes = 1 << 16;

    /// <summary>The lines of <paramref name="content"/>; each <see cref="JsonLine.Text"/> is valid until the next one is read.</summary>
    public static async IAsyncEnumerable<JsonLine> ReadAsync(Stream content, long maxLineBytes, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        maxLineBytes = Math.Min(maxLineBytes, Array.MaxLength - ReadBytes);
        byte[] buffer = new byte[ReadBytes];
        int start = 0, end = 0;
        long skipped = -1;
        while (true)
        {
            int newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                int length = newline;
                start += newline + 1;
                if (skipped >= 0)
                {
                    yield return new JsonLine(ReadOnlyMemory<byte>.Empty, skipped + length);
                    skipped = -1;
                }
                else
                {
                    yield return Line(buffer.AsMemory(start - newline - 1, length), maxLineBytes);
                }

                continue;
            }

            if (skipped >= 0)
            {
                skipped += end - start;
                (start, end) = (0, 0);
            }
            else if (end - start > maxLineBytes)
            {
                skipped = end - start;
                (start, end) = (0, 0);
            }
            else if (start > 0)
            {
                buffer.AsSpan(start, end - start).CopyTo(buffer);
                (start, end) = (0, end - start);
            }

            if (end == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(Math.Max(buffer.Length * 2L, ReadBytes), Math.Min(maxLineBytes + ReadBytes, Array.MaxLength)));
            }

            int read = await content.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                if (skipped >= 0)
                {
                    yield return new JsonLine(ReadOnlyMemory<byte>.Empty, skipped);
                }
                else if (end > start)
                {
                    yield return Line(buffer.AsMemory(start, end - start), maxLineBytes);
                }

                yield break;
            }

            end += read;
        }
    }

    private static JsonLine Line(ReadOnlyMemory<byte> text, long maxLineBytes)
    {
        if (text.Length > maxLineBytes)
        {
            return new JsonLine(ReadOnlyMemory<byte>.Empty, text.Length);
        }

        if (text.Span is [.., (byte)'\r'])
        {
            text = text[..^1];
        }

        return new JsonLine(text, text.Length);
    }
}
