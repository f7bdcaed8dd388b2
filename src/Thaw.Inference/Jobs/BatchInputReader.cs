using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using Thaw.Inference.Hosting;

namespace Thaw.Inference.Jobs;

/// <summary>
/// Streams an OpenAI batch input file line by line and checks each line's frame: JSON object, a unique string
/// <c>custom_id</c>, <c>method</c> POST, a <c>url</c>, an object <c>body</c>. A line meets the rules of an HTTP body
/// (<see cref="JsonBodyRules"/>: strict UTF-8, one JSON value and nothing after it) and its body the route's size
/// limit. The first line with a custom_id owns it; later ones are duplicates. The body itself is the endpoint's to
/// judge. Shared by the runner and <c>thaw batch submit</c>.
/// </summary>
public static class BatchInputReader
{
    /// <summary>Room on a line for what surrounds the body (custom_id, method, url): a line may be this much longer than a body.</summary>
    public const int MaxFrameBytes = 64 * 1024;

    public static async IAsyncEnumerable<BatchInputEntry> ReadAsync(Stream content, long maxBodyBytes, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int index = 0, lineNumber = 0;
        await foreach (JsonLine read in JsonLineReader.ReadAsync(content, maxBodyBytes + MaxFrameBytes, cancellationToken).ConfigureAwait(false))
        {
            JsonLine line = ++lineNumber == 1 ? read.WithoutByteOrderMark() : read;
            if (line.IsBlank)
            {
                continue;
            }

            BatchInputEntry entry = Parse(line, index++, lineNumber, maxBodyBytes);
            if (entry.CustomId is { } customId)
            {
                if (seen.TryGetValue(customId, out int first))
                {
                    if (entry.Error is null)
                    {
                        entry = entry with
                        {
                            Line = null,
                            Error = new BatchLineError("duplicate_custom_id", $"Line {lineNumber}: custom_id '{customId}' was already used on line {first}; each must be unique in the file."),
                        };
                    }
                }
                else
                {
                    seen.Add(customId, lineNumber);
                }
            }

            yield return entry;
        }
    }

    /// <summary>Counts the requests (non-blank lines) without holding any line.</summary>
    public static async Task<int> CountAsync(Stream content, CancellationToken cancellationToken = default)
    {
        byte[] buffer = new byte[1 << 16];
        int count = 0;
        bool blank = true, first = true;
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            ReadOnlySpan<byte> span = buffer.AsSpan(0, read);
            if (first)
            {
                span = JsonBodyRules.Content(span);
                first = false;
            }

            foreach (byte b in span)
            {
                if (b == '\n')
                {
                    count += blank ? 0 : 1;
                    blank = true;
                }
                else if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
                {
                    blank = false;
                }
            }
        }

        return count + (blank ? 0 : 1);
    }

    /// <summary>Whether the file holds at least one request (a non-blank line); reads only up to the first one.</summary>
    public static async Task<bool> HasRequestsAsync(Stream content, CancellationToken cancellationToken = default)
    {
        byte[] buffer = new byte[4096];
        bool first = true;
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            ReadOnlySpan<byte> span = buffer.AsSpan(0, read);
            if (first)
            {
                span = JsonBodyRules.Content(span);
                first = false;
            }

            if (span.IndexOfAnyExcept(" \t\r\n"u8) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static BatchInputEntry Parse(JsonLine line, int index, int lineNumber, long maxBodyBytes)
    {
        BatchInputEntry Bad(string? customId, string code, string message) =>
            new(index, lineNumber, customId, null, new BatchLineError(code, $"Line {lineNumber}: {message}"));

        if (line.IsTooLong)
        {
            return Bad(null, "request_too_large",
                $"the line is {line.Length} bytes; a line may be at most {maxBodyBytes + MaxFrameBytes} bytes (a body of Thaw:Limits:MaxRequestBytes = {maxBodyBytes} and its frame).");
        }

        ReadOnlyMemory<byte> text = line.Text;
        if (JsonBodyRules.Check(text.Span, long.MaxValue) == JsonBodyProblem.NotUtf8)
        {
            return Bad(null, "invalid_json", "not valid UTF-8.");
        }

        JsonDocument document;
        try
        {
            // Parsed whole: trailing data after the object is refused, as on the route.
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            return Bad(null, "invalid_json", $"not a JSON object ({e.Message}).");
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Bad(null, "invalid_json", $"must be a JSON object, not {Kind(root)}.");
            }

            string? customId = root.TryGetProperty("custom_id", out JsonElement id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            if (string.IsNullOrEmpty(customId))
            {
                return Bad(null, "missing_custom_id", "'custom_id' is required: a non-empty string that identifies the request in the output.");
            }

            if (!root.TryGetProperty("method", out JsonElement method) || method.ValueKind != JsonValueKind.String || method.GetString() != "POST")
            {
                return Bad(customId, "invalid_method", "'method' must be \"POST\".");
            }

            if (!root.TryGetProperty("url", out JsonElement url) || url.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(url.GetString()))
            {
                return Bad(customId, "invalid_url", "'url' is required, e.g. \"/v1/embeddings\".");
            }

            if (!root.TryGetProperty("body", out JsonElement body) || body.ValueKind != JsonValueKind.Object)
            {
                return Bad(customId, "invalid_body", "'body' must be a JSON object: the request the url would receive.");
            }

            int bodyBytes = JsonMarshal.GetRawUtf8Value(body).Length;
            if (bodyBytes > maxBodyBytes)
            {
                return Bad(customId, "request_too_large", $"'body' is {bodyBytes} bytes; {JsonBodyRules.Describe(JsonBodyProblem.TooLarge, maxBodyBytes)}");
            }

            return new BatchInputEntry(index, lineNumber, customId, new BatchInputLine(customId, "POST", url.GetString()!, body.Clone()), null);
        }
    }

    private static string Kind(JsonElement element) => element.ValueKind.ToString().ToLowerInvariant();
}
