using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Thaw.Inference.Jobs;

/// <summary>
/// Streams an OpenAI batch input file line by line and checks each line's frame: JSON object, a unique string
/// <c>custom_id</c>, <c>method</c> POST, a <c>url</c>, an object <c>body</c>. The first line with a custom_id owns it;
/// later ones are duplicates. The body itself is the endpoint's to judge. Shared by the runner and <c>thaw batch submit</c>.
/// </summary>
public static class BatchInputReader
{
    public static async IAsyncEnumerable<BatchInputEntry> ReadAsync(Stream content, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(content, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true, 1 << 16, leaveOpen: true);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int index = 0, lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            BatchInputEntry entry = Parse(text, index++, lineNumber);
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

    /// <summary>Counts the requests (non-blank lines) without parsing them.</summary>
    public static async Task<int> CountAsync(Stream content, CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(content, Encoding.UTF8, true, 1 << 16, leaveOpen: true);
        int count = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
        {
            count += string.IsNullOrWhiteSpace(text) ? 0 : 1;
        }

        return count;
    }

    private static BatchInputEntry Parse(string text, int index, int lineNumber)
    {
        BatchInputEntry Bad(string? customId, string code, string message) =>
            new(index, lineNumber, customId, null, new BatchLineError(code, $"Line {lineNumber}: {message}"));

        JsonDocument document;
        try
        {
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

            return new BatchInputEntry(index, lineNumber, customId, new BatchInputLine(customId, "POST", url.GetString()!, body.Clone()), null);
        }
    }

    private static string Kind(JsonElement element) => element.ValueKind.ToString().ToLowerInvariant();
}
