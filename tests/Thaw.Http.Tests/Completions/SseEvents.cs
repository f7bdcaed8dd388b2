namespace Thaw.Http.Tests.Completions;

/// <summary>Reads a server-sent event stream as OpenAI frames it: <c>data: …</c> events separated by a blank line.</summary>
internal static class SseEvents
{
    /// <summary>Each event's data; fails on any line that is not <c>data: </c>.</summary>
    public static IReadOnlyList<string> Parse(string stream)
    {
        Assert.EndsWith("\n\n", stream, StringComparison.Ordinal);
        string[] events = stream[..^2].Split("\n\n");
        return [.. events.Select(e =>
        {
            Assert.StartsWith("data: ", e, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e);
            return e["data: ".Length..];
        })];
    }

    /// <summary>The JSON events before the final <c>[DONE]</c>, which must be there.</summary>
    public static IReadOnlyList<JsonElement> Chunks(string stream)
    {
        IReadOnlyList<string> data = Parse(stream);
        Assert.Equal("[DONE]", data[^1]);
        return [.. data.Take(data.Count - 1).Select(d => JsonDocument.Parse(d).RootElement.Clone())];
    }
}
