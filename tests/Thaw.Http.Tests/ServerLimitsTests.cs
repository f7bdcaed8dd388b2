using System.Diagnostics;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Http.Endpoints;
using Thaw.Testing;

namespace Thaw.Http.Tests;

/// <summary>Clients that hold a request open (slow or stalled bodies, endless headers) are cut off by Kestrel's limits.</summary>
public sealed class ServerLimitsTests
{
    [Fact]
    public async Task StandaloneHttp_Defaults_BoundSlowBodiesHeadersAndBodySize()
    {
        await using LoopbackServer server = await ThawApiServer.StartAsync(new());

        KestrelServerLimits limits = server.App.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;

        // Kestrel's own floor, 240 B/s, let a declared 16 MB body hold a request for about 19 hours.
        Assert.Equal(16 * 1024, limits.MinRequestBodyDataRate!.BytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(10), limits.MinRequestBodyDataRate.GracePeriod);
        Assert.Equal((200L << 20) + FilesEndpoint.MultipartOverheadBytes, limits.MaxRequestBodySize);
        Assert.Equal(32 * 1024, limits.MaxRequestHeadersTotalSize);
        Assert.Equal(100, limits.MaxRequestHeaderCount);
        Assert.Equal(TimeSpan.FromSeconds(30), limits.RequestHeadersTimeout);
    }

    [Fact]
    public async Task StalledBody_IsCutOffOnceTheGracePeriodEnds()
    {
        await using LoopbackServer server = await ThawApiServer.StartAsync(new() { ["Thaw:Http:MinRequestBodyGracePeriod"] = "00:00:02" });
        byte[] request = RawHttp.Request(server.Client.BaseAddress!, "POST", "/v1/embeddings", ["Content-Type: application/json"],
            Encoding.UTF8.GetBytes("""{"input": "and then noth"""), declaredLength: 60_000);
        var clock = Stopwatch.StartNew();

        RawResponse response = await RawHttp.SendAsync(server.Client.BaseAddress!, request, TimeSpan.FromSeconds(30));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the stalled request was held {clock.Elapsed}");
        Assert.True(response.IsEmpty || response.Status == 408, $"{response.Status} {response.BodyText}");
        Assert.DoesNotContain(server.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task BodyShorterThanDeclared_ClientGone_IsNoServerError()
    {
        await using LoopbackServer server = await ThawApiServer.StartAsync(new());
        byte[] request = RawHttp.Request(server.Client.BaseAddress!, "POST", "/v1/embeddings", ["Content-Type: application/json"],
            Encoding.UTF8.GetBytes("""{"input": "cut"""), declaredLength: 1000);

        RawResponse response = await RawHttp.SendAsync(server.Client.BaseAddress!, request, TimeSpan.FromSeconds(30), endSending: true);

        Assert.True(response.IsEmpty || response.Status == 400, $"{response.Status} {response.BodyText}");
        await server.App.StopAsync();
        Assert.DoesNotContain(server.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task TooManyHeaders_Answers431()
    {
        await using LoopbackServer server = await ThawApiServer.StartAsync(new() { ["Thaw:Http:MaxRequestHeaderCount"] = "20" });
        byte[] request = RawHttp.Request(server.Client.BaseAddress!, "GET", "/healthz", Enumerable.Range(0, 30).Select(i => $"X-Padding-{i}: {i}"));

        RawResponse response = await RawHttp.SendAsync(server.Client.BaseAddress!, request, TimeSpan.FromSeconds(30));

        Assert.Equal(431, response.Status);
    }

    [Fact]
    public async Task Start_GracePeriodNotOverOneSecond_FailsNamingTheKey()
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            ThawApiServer.StartAsync(new() { ["Thaw:Http:MinRequestBodyGracePeriod"] = "00:00:01" }));

        Assert.Contains("Thaw:Http:MinRequestBodyGracePeriod", e.Message, StringComparison.Ordinal);
    }
}
