using System.Text.Unicode;

namespace Thaw.Inference.Hosting;

/// <summary>
/// The one set of rules for a JSON request body, whether it arrives over HTTP or as the line of a batch file: at most
/// <see cref="Settings.LimitsOptions.MaxRequestBytes"/>, strict UTF-8 (a leading byte order mark ignored), not empty, and
/// exactly one JSON value with nothing after it but whitespace. That last rule is the parser's: callers parse the
/// whole span at once (<c>JsonSerializer.Deserialize(ReadOnlySpan&lt;byte&gt;)</c>, <c>JsonDocument.Parse</c>),
/// never one value off a reader, which would ignore what follows it.
/// </summary>
public static class JsonBodyRules
{
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>The body without its byte order mark, if it has one.</summary>
    public static ReadOnlySpan<byte> Content(ReadOnlySpan<byte> body) => body.StartsWith(ByteOrderMark) ? body[ByteOrderMark.Length..] : body;

    /// <summary>The first rule <paramref name="body"/> breaks, or <see cref="JsonBodyProblem.None"/>.</summary>
    public static JsonBodyProblem Check(ReadOnlySpan<byte> body, long maxBytes)
    {
        if (body.Length > maxBytes)
        {
            return JsonBodyProblem.TooLarge;
        }

        ReadOnlySpan<byte> json = Content(body);
        if (json.IsEmpty)
        {
            return JsonBodyProblem.Empty;
        }

        // Checked up front: System.Text.Json only notices bad UTF-8 inside a string when the string is read.
        return Utf8.IsValid(json) ? JsonBodyProblem.None : JsonBodyProblem.NotUtf8;
    }

    /// <summary>What to tell the client about <paramref name="problem"/> (the same words on both paths).</summary>
    public static string Describe(JsonBodyProblem problem, long maxBytes) => problem switch
    {
        JsonBodyProblem.TooLarge => $"The request body is larger than {maxBytes} bytes (Thaw:Limits:MaxRequestBytes).",
        JsonBodyProblem.Empty => "The request body is empty; send a JSON object such as {\"input\": \"text\"}.",
        JsonBodyProblem.NotUtf8 => "The request body is not valid UTF-8.",
        _ => throw new ArgumentOutOfRangeException(nameof(problem), problem, "Not a problem; this is a bug."),
    };
}
