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
        using HttpResponseMessage ready = await _server.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, ready.StatusCode);
    }

    // Ways to write a /v1 path that the router still matches (case-insensitive, Kestrel removes dot segments and
    // decodes escaped unreserved characters, the request target may be absolute).
    public static TheoryData<string> RoutedDisguises => new()
    {
        "{0}", "UPPER", "/V1{1}", "/v1/Cap", "{0}/", "{0}?x=1", "/v1/.{1}", "/v1/zz/..{1}", "/%761{1}", "/%56%31{1}", "absolute",
    };

    // Ways that must not reach an endpoint at all (or, if some server normalized them, still need the key).
    public static TheoryData<string> UnroutedDisguises => new()
    {
        "/{0}", "/v1%2F{2}", "/v1%2f{2}", "/v1/%2e{1}", "/v1/%252e{1}", "/v1\\{2}", "{0}%00", "{0};x", "/v1{1}/%2e%2e/{2}",
    };

    [Theory]
    [MemberData(nameof(RoutedDisguises))]
    public async Task EveryV1Route_DisguisedSoItStillRoutes_NeedsTheKey(string disguise)
    {
        var failures = new List<string>();
        foreach ((string method, string path) in V1Routes())
        {
            string target = Disguise(disguise, path);
            RawResponse anonymous = await SendAsync(method, target, key: null);
            RawResponse keyed = await SendAsync(method, target, key: "first-key");

            if (anonymous.Status != 401 || !IsUnauthorizedEnvelope(anonymous))
            {
                failures.Add($"{method} {target} without a key: {anonymous.Status} {anonymous.BodyText}");
            }

            // The disguise must really reach the endpoint: with the key, its handler answers (a body, not a 401).
            if (keyed.Status == 401 || keyed.Body.Length == 0)
            {
                failures.Add($"{method} {target} with the key did not reach its handler: {keyed.Status}");
            }
        }

        Assert.Empty(failures);
    }

    [Theory]
    [MemberData(nameof(UnroutedDisguises))]
    public async Task EveryV1Route_DisguisedSoItDoesNotRoute_IsNeverServed(string disguise)
    {
        var failures = new List<string>();
        foreach ((string method, string path) in V1Routes())
        {
            string target = Disguise(disguise, path);
            RawResponse anonymous = await SendAsync(method, target, key: null);
            if (anonymous.Status is not (400 or 401 or 404 or 405) || (anonymous.Status == 401 && !IsUnauthorizedEnvelope(anonymous)))
            {
                failures.Add($"{method} {target} without a key: {anonymous.Status} {anonymous.BodyText}");
            }
        }

        Assert.Empty(failures);
    }

    private IEnumerable<(string Method, string Path)> V1Routes() =>
        ThawRoutes.Of(_server.App).Where(r => r.Path.StartsWith("/v1/", StringComparison.Ordinal));

    private string Disguise(string disguise, string path)
    {
        string rest = path["/v1".Length..];
        return disguise switch
        {
            "UPPER" => path.ToUpperInvariant(),
            "/v1/Cap" => "/v1/" + char.ToUpperInvariant(rest[1]) + rest[2..],
            "absolute" => new Uri(_server.Client.BaseAddress!, path).AbsoluteUri,
            _ => string.Format(CultureInfo.InvariantCulture, disguise, path, rest, rest[1..]),
        };
    }

    private async Task<RawResponse> SendAsync(string method, string target, string? key)
    {
        string[] headers = key is null ? [] : [$"Authorization: Bearer {key}"];
        byte[]? body = method == "POST" ? [] : null;
        return await RawHttp.SendAsync(_server.Client.BaseAddress!, RawHttp.Request(_server.Client.BaseAddress!, method, target, headers, body), TimeSpan.FromSeconds(10));
    }

    private static bool IsUnauthorizedEnvelope(RawResponse response)
    {
        if (!response.Headers.TryGetValue("WWW-Authenticate", out string? challenge) || challenge != "Bearer")
        {
            return false;
        }

        using JsonDocument body = JsonDocument.Parse(response.Body);
        return body.RootElement.GetProperty("error").GetProperty("code").GetString() == "invalid_api_key";
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
    [InlineData("http://unix:/run/thaw.sock", false, false, true)]
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
