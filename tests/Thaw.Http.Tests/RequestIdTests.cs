using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Thaw.Http.Telemetry;
using Thaw.Testing;

namespace Thaw.Http.Tests;

/// <summary>
/// <c>x-request-id</c> on every answer of the standalone host (kept when well-formed, else new), in the log scope and
/// on the request's span; <c>x-should-retry: false</c> only where a retry cannot help; batch lines carry the same kind of id.
/// </summary>
public sealed partial class RequestIdTests : IAsyncLifetime
{
    private const string Key = "request-id-key";
    private readonly ScopeCapturingLoggerProvider _logs = new();
    private LoopbackServer _server = null!;

    public async Task InitializeAsync() => _server = await BatchJobs.StartServerAsync(
        new() { ["Thaw:ApiKeys:0"] = Key },
        builder => builder.Logging.AddProvider(_logs));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, string, int> Answers => new()
    {
        { "GET", "/healthz", 200 },
        { "GET", "/v1/models", 401 },
        { "GET", "/v1/nope", 404 },
        { "DELETE", "/v1/models", 405 },
        { "GET", "/v1/files/file-nope", 404 },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task EveryAnswer_WithoutAnId_CarriesANewOne(string method, string path, int status)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (path.StartsWith("/v1/files", StringComparison.Ordinal))
        {
            request.Headers.Authorization = new("Bearer", Key);
        }

        using HttpResponseMessage response = await _server.Client.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Matches(OpenAiRequestId(), Assert.Single(response.Headers.GetValues(RequestIdentity.HeaderName)));
    }

    [Fact]
    public async Task WellFormedIncomingId_IsEchoedAndScopesTheRequestsLogs()
    {
        const string Incoming = "3f0a2c1e-7d4b-4c55-9a8e-0b1c2d3e4f50";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Authorization = new("Bearer", Key);
        request.Headers.Add(RequestIdentity.HeaderName, Incoming);
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (spans) { spans.Add(activity); } },
        };
        ActivitySource.AddActivityListener(listener);

        using HttpResponseMessage response = await _server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Incoming, Assert.Single(response.Headers.GetValues(RequestIdentity.HeaderName)));
        Assert.Contains(_logs.Entries, e => e.Category.StartsWith("Microsoft.AspNetCore.Routing", StringComparison.Ordinal)
            && e.Scope.TryGetValue("RequestId", out object? id) && Equals(id, Incoming));
        await Eventually.WaitUntilAsync(() => { lock (spans) { return spans.Any(s => Equals(s.GetTagItem(RequestIdentity.ActivityTag), Incoming)); } });
    }

    [Theory]
    [InlineData("has spaces in it")]
    [InlineData("semi;colon")]
    [InlineData("%0d%0aSet-Cookie")]
    [InlineData("path/like+base64=")]
    public async Task IllFormedIncomingId_IsReplaced(string incoming)
    {
        byte[] raw = RawHttp.Request(_server.Client.BaseAddress!, "GET", "/healthz", [$"x-request-id: {incoming}"]);

        RawResponse response = await RawHttp.SendAsync(_server.Client.BaseAddress!, raw, TimeSpan.FromSeconds(10));

        Assert.Equal(200, response.Status);
        Assert.Matches(OpenAiRequestId(), response.Headers[RequestIdentity.HeaderName]);
    }

    [Fact]
    public async Task IncomingIdLongerThanTheLimit_IsReplaced()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Add(RequestIdentity.HeaderName, new string('a', Thaw.Inference.Telemetry.RequestIds.MaxLength + 1));

        using HttpResponseMessage response = await _server.Client.SendAsync(request);

        Assert.Matches(OpenAiRequestId(), Assert.Single(response.Headers.GetValues(RequestIdentity.HeaderName)));
    }

    [Fact]
    public async Task ShouldRetry_FalseOnClientErrorsOnly_RetryAfterStaysOn429And503()
    {
        using HttpResponseMessage unauthorized = await _server.Client.GetAsync("/v1/models");
        using var ok = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        ok.Headers.Authorization = new("Bearer", Key);
        using HttpResponseMessage fine = await _server.Client.SendAsync(ok);

        Assert.Equal("false", Assert.Single(unauthorized.Headers.GetValues("x-should-retry")));
        Assert.False(fine.Headers.Contains("x-should-retry"));
        Assert.False(new Errors.ApiError(HttpStatusCode.Conflict, "m", "t").Retryable);
        Assert.False(Errors.ApiError.TooLarge(null, "m").Retryable);
        Assert.True(Errors.ApiError.Overloaded("m", TimeSpan.FromSeconds(1)).Retryable);
        Assert.True(Errors.ApiError.Unavailable("m", TimeSpan.FromSeconds(1), "c").Retryable);
    }

    [Fact]
    public async Task BatchOutputLines_CarryOpenAiStyleRequestIds_StableForTheLine()
    {
        _server.Client.DefaultRequestHeaders.Authorization = new("Bearer", Key);
        string content = string.Join('\n', Enumerable.Range(0, 3).Select(i => BatchJobs.Line($"r{i}", new { input = $"line {i}" })));

        JsonElement batch = await BatchJobs.WaitAsync(_server.Client, await BatchJobs.SubmitAsync(_server.Client, content));

        JsonElement[] lines = await BatchJobs.DownloadLinesAsync(_server.Client, batch.GetProperty("output_file_id").GetString()!);
        string[] ids = lines.Select(l => l.GetProperty("response").GetProperty("request_id").GetString()!).ToArray();
        Assert.All(ids, id => Assert.Matches(OpenAiRequestId(), id));
        Assert.Equal(3, ids.Distinct().Count());
        string batchId = batch.GetProperty("id").GetString()!;
        Assert.Equal(Thaw.Inference.Telemetry.RequestIds.ForBatchLine(batchId, 0), ids[0]);
    }

    [GeneratedRegex("^req_[0-9a-f]{32}$")]
    private static partial Regex OpenAiRequestId();
}
