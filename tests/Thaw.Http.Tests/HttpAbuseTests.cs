using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Thaw.Inference.Models;
using Thaw.Testing;

namespace Thaw.Http.Tests;

/// <summary>
/// Abuse over every route the host maps (read from its endpoints, so a new route is covered without listing it), on
/// real Kestrel with the real model: malformed bodies, odd methods, headers, queries and ids. Whatever comes in, the
/// answer is never a 5xx, a handler's error is always the OpenAI envelope, nothing is logged as an error, and each
/// round finishes in bounded time.
/// </summary>
public sealed class HttpAbuseTests : IAsyncLifetime
{
    private const string Key = "abuse-key";
    private static readonly TimeSpan RoundLimit = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan RequestLimit = TimeSpan.FromSeconds(10);

    private LoopbackServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await BatchJobs.StartServerAsync(new() { ["Thaw:ApiKeys:0"] = Key, ["Thaw:Jobs:MaxFileBytes"] = "4096" });
        await _server.App.Services.GetRequiredService<ModelHost>().LoadAsync(RealModels.MiniLm);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string> BodyKinds => new()
    {
        "empty", "text", "invalid utf-8", "null", "array", "object", "deep nesting", "huge number", "random bytes",
        "multipart garbage", "multipart without boundary", "multipart endless boundary", "json as utf-16", "wrong content type",
    };

    [Theory]
    [MemberData(nameof(BodyKinds))]
    public async Task EveryRoute_MalformedBody_IsRefusedInTheEnvelope(string kind)
    {
        (string[] headers, byte[] body) = Body(kind);

        await RoundAsync(Routes().Select(r => new Probe(r.Method, r.Path, headers, body, ReachesHandler: true)));
    }

    [Fact]
    public async Task EveryPath_EveryOddMethod_IsNeverAServerError()
    {
        string[] methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO", "M-SEARCH"];

        await RoundAsync(Routes().Select(r => r.Path).Distinct().SelectMany(path => methods.Select(method =>
            new Probe(method, path, [], method is "GET" or "TRACE" ? null : [], ReachesHandler: Routes().Contains((method, path))))));
    }

    [Fact]
    public async Task EveryRoute_OddQueriesAndIds_AreRefusedInTheEnvelope()
    {
        string[] queries = ["?limit=-1", "?limit=abc", "?limit=99999999999999999999", "?after=..%2F..%2Fetc%2Fpasswd", "?order=sideways", "?%00=%00", "?a=1&a=2&a=3"];
        string[] ids = ["..%2F..%2Fetc%2Fpasswd", "%2e%2e", new string('a', 4000), "%E2%98%83", "file-%00", "batch_%27%22%3C%3E", "file-" + new string('0', 200)];

        IEnumerable<Probe> withQueries = Routes().SelectMany(r => queries.Select(q => new Probe(r.Method, r.Path + q, [], Post(r.Method), ReachesHandler: true)));
        IEnumerable<Probe> withIds = ThawRoutes.Of(_server.App, "{id}").Where(r => r.Path.Contains("{id}", StringComparison.Ordinal))
            .SelectMany(r => ids.Select(id => new Probe(r.Method, r.Path.Replace("{id}", id, StringComparison.Ordinal), [], Post(r.Method), ReachesHandler: true)));

        await RoundAsync(withQueries.Concat(withIds));
    }

    [Fact]
    public async Task EveryRoute_OddHeaders_AreNeverAServerError()
    {
        string[][] headerSets =
        [
            ["Authorization: Bearer"], ["Authorization: Bearer  "], [$"Authorization: bearer {Key}"], [$"Authorization: Bearer {Key}, Bearer other"],
            [$"Authorization: Basic {Key}"], ["Authorization: " + new string('A', 8000)], ["Content-Type: %%%"], ["Content-Type: application/json; charset=ebcdic"],
            ["Accept: nothing/you-have"], ["Accept-Encoding: br;q=2, *;q=-1"], ["Expect: 100-continue"], ["X-Request-Id: " + new string('r', 5000)],
            ["Content-Length: 2", "Content-Length: 3"], ["Transfer-Encoding: gzip"], ["Host: other.example"],
        ];

        await RoundAsync(Routes().SelectMany(r => headerSets.Select(h =>
            new Probe(r.Method, r.Path, h, h.Any(x => x.StartsWith("Content-Length", StringComparison.Ordinal)) ? null : Post(r.Method), ReachesHandler: false, KeyIncluded: h.Any(x => x.StartsWith("Authorization", StringComparison.Ordinal))))));
    }

    private IEnumerable<(string Method, string Path)> Routes() => ThawRoutes.Of(_server.App);

    private static byte[]? Post(string method) => method == "POST" ? [] : null;

    private async Task RoundAsync(IEnumerable<Probe> probes)
    {
        var clock = Stopwatch.StartNew();
        var failures = new List<string>();
        int count = 0;
        foreach (Probe probe in probes)
        {
            count++;
            string[] headers = probe.KeyIncluded ? probe.Headers : [$"Authorization: Bearer {Key}", .. probe.Headers];
            byte[] request = RawHttp.Request(_server.Client.BaseAddress!, probe.Method, probe.Target, headers, probe.Body);
            RawResponse response = await RawHttp.SendAsync(_server.Client.BaseAddress!, request, RequestLimit);
            if (Problem(probe, response) is { } problem)
            {
                failures.Add($"{probe.Method} {Shorten(probe.Target)} [{string.Join(" | ", probe.Headers.Select(Shorten))}]: {problem}");
            }
        }

        Assert.Empty(failures);
        Assert.DoesNotContain(_server.Logs.Entries, e => e.Level >= LogLevel.Error);
        Assert.True(clock.Elapsed < RoundLimit, $"{count} probes took {clock.Elapsed}");
        Assert.Equal("ok", await _server.Client.GetStringAsync("/healthz"));
    }

    private static string? Problem(Probe probe, RawResponse response)
    {
        if (response.IsEmpty)
        {
            return "no answer";
        }

        if (response.Status >= 500)
        {
            return $"{response.Status} {Shorten(response.BodyText)}";
        }

        if (response.Status < 400 || probe.Method == "HEAD")
        {
            return null;
        }

        // Kestrel's and the router's own refusals come without a body: a request Kestrel cannot take (400, 431; a NUL
        // in the path included) and no such route or method (404, 405). Every other refusal is a handler's.
        if (response.Body.Length == 0)
        {
            return probe.ReachesHandler && response.Status is not (400 or 404 or 405 or 431) ? $"{response.Status} without the envelope" : null;
        }

        try
        {
            using JsonDocument body = JsonDocument.Parse(response.Body);
            return body.RootElement.GetProperty("error").GetProperty("message").GetString() is { Length: > 0 } ? null : "an empty error message";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"{response.Status}, not the envelope: {Shorten(response.BodyText)}";
        }
    }

    private static (string[] Headers, byte[] Body) Body(string kind)
    {
        var random = new Random(kind.Length);
        string json = "Content-Type: application/json";
        return kind switch
        {
            "empty" => ([json], []),
            "text" => ([json], "not json at all"u8.ToArray()),
            "invalid utf-8" => ([json], [0x7B, 0x22, 0x69, 0x6E, 0x70, 0x75, 0x74, 0x22, 0x3A, 0x22, 0xFF, 0xC3, 0x22, 0x7D]),
            "null" => ([json], "null"u8.ToArray()),
            "array" => ([json], "[1, \"two\", {}]"u8.ToArray()),
            "object" => ([json], """{"input": {"nested": true}, "input_file_id": 5, "endpoint": [], "completion_window": null}"""u8.ToArray()),
            "deep nesting" => ([json], Encoding.ASCII.GetBytes(new string('[', 5000) + new string(']', 5000))),
            "huge number" => ([json], """{"input": "a", "dimensions": 1e999, "limit": 99999999999999999999999}"""u8.ToArray()),
            "random bytes" => ([json], RandomBytes(random)),
            "multipart garbage" => (["Content-Type: multipart/form-data; boundary=b"], [.. "--b\r\n"u8, .. RandomBytes(random)]),
            "multipart without boundary" => (["Content-Type: multipart/form-data"], "--b\r\n\r\n--b--"u8.ToArray()),
            "multipart endless boundary" => ([$"Content-Type: multipart/form-data; boundary={new string('b', 500)}"], "--bbb\r\n"u8.ToArray()),
            "json as utf-16" => (["Content-Type: application/json; charset=utf-16"], Encoding.Unicode.GetBytes("""{"input": "wide"}""")),
            "wrong content type" => (["Content-Type: image/png"], [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Bug: a body kind without a body."),
        };
    }

    private static byte[] RandomBytes(Random random)
    {
        byte[] bytes = new byte[random.Next(1, 400)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Shorten(string text) => text.Length > 120 ? text[..120] + "…" : text;

    private sealed record Probe(string Method, string Target, string[] Headers, byte[]? Body, bool ReachesHandler, bool KeyIncluded = false);
}
