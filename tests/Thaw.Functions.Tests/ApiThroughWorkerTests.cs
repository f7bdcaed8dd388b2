using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Thaw.Functions.Tests.FunctionsHost;

namespace Thaw.Functions.Tests;

/// <summary>
/// Issue 16's surface through the real worker behind the fake host: <c>GET /v1/models/{id}</c> answers as the
/// standalone host does, and every HTTP answer of the worker carries <c>x-request-id</c> (the worker middleware).
/// </summary>
public sealed partial class ApiThroughWorkerTests(FunctionsHttpFixture fixture) : IClassFixture<FunctionsHttpFixture>
{
    [Fact]
    public async Task GetModel_SameObjectAsTheStandaloneHost()
    {
        HttpInvocation viaWorker = await fixture.Host.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/models/arctic-embed-xs"));
        string standalone = await fixture.Standalone.Client.GetStringAsync(new Uri("/v1/models/arctic-embed-xs", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, viaWorker.Response.StatusCode);
        using JsonDocument worker = JsonDocument.Parse(await viaWorker.Response.Content.ReadAsStringAsync());
        using JsonDocument expected = JsonDocument.Parse(standalone);
        Assert.Equal(expected.RootElement.GetProperty("created").GetInt64(), worker.RootElement.GetProperty("created").GetInt64());
        Assert.Equal(expected.RootElement.EnumerateObject().Select(p => p.Name), worker.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task GetModel_UnknownId_Answers404EnvelopeWithShouldRetryFalse()
    {
        HttpInvocation result = await fixture.Host.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/models/gpt-17"));

        Assert.Equal(HttpStatusCode.NotFound, result.Response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await result.Response.Content.ReadAsStringAsync());
        Assert.Equal("model_not_found", body.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("false", Assert.Single(result.Response.Headers.GetValues("x-should-retry")));
    }

    [Fact]
    public async Task EveryAnswer_CarriesARequestId_AWellFormedIncomingOneIsKept()
    {
        HttpInvocation fresh = await fixture.Host.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/healthz"));
        var tagged = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        tagged.Headers.Add("x-request-id", "proxy-7f3a");
        HttpInvocation kept = await fixture.Host.SendAsync(tagged);

        Assert.Matches(OpenAiRequestId(), Assert.Single(fresh.Response.Headers.GetValues("x-request-id")));
        Assert.Equal("proxy-7f3a", Assert.Single(kept.Response.Headers.GetValues("x-request-id")));
    }

    [GeneratedRegex("^req_[0-9a-f]{32}$")]
    private static partial Regex OpenAiRequestId();
}
