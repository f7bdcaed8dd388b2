using System.Net.Http.Headers;
using Thaw.Http.Security;
using Thaw.Testing;

namespace Thaw.Http.Tests;

public sealed class ApiKeyTests : IAsyncLifetime
{
    private LoopbackServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await ThawApiServer.StartAsync(new() { ["Thaw:ApiKeys:0"] = "first-key", ["Thaw:ApiKeys:1"] = "second-key" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(null, "Missing API key")]
    [InlineData("Bearer wrong-key", "Incorrect API key")]
    [InlineData("Bearer first-key-but-longer", "Incorrect API key")]
    [InlineData("Basic Zmlyc3Qta2V5", "Missing API key")]
    public async Task V1_WithoutAValidKey_Answers401InTheOpenAiEnvelope(string? authorization, string message)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using HttpResponseMessage response = await _server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_api_key", body.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.StartsWith(message, body.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("first-key")]
    [InlineData("second-key")]
    public async Task V1_WithAConfiguredKey_IsServed(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);

        using HttpResponseMessage response = await _server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task HealthProbes_NeedNoKey()
    {
        using HttpResponseMessage health = await _server.Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Theory]
    [InlineData("http://127.0.0.1:7071", false, false, true)]
    [InlineData("http://localhost:7071", false, false, true)]
    [InlineData("http://[::1]:7071", false, false, true)]
    [InlineData("http://127.0.0.1:1;http://[::1]:2", false, false, true)]
    [InlineData("http://0.0.0.0:8080", false, false, false)]
    [InlineData("http://*:8080", false, false, false)]
    [InlineData("http://+:8080", false, false, false)]
    [InlineData("http://10.1.2.3:8080", false, false, false)]
    [InlineData("http://127.0.0.1:1;http://0.0.0.0:2", false, false, false)]
    [InlineData("http://0.0.0.0:8080", true, false, true)]
    [InlineData("http://0.0.0.0:8080", false, true, true)]
    public void ListenAddressPolicy_RefusesAnUnauthenticatedPublicListener(string urls, bool hasKeys, bool allowAnonymous, bool allowed)
    {
        string? refusal = ListenAddressPolicy.Check(urls, hasKeys, allowAnonymous);

        Assert.Equal(allowed, refusal is null);
        if (refusal is not null)
        {
            Assert.Contains("--allow-anonymous", refusal, StringComparison.Ordinal);
        }
    }
}
