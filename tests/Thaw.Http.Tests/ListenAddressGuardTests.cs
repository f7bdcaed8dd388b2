using Microsoft.AspNetCore.Http;
using Thaw.Http.Security;
using Thaw.Testing;

namespace Thaw.Http.Tests;

public sealed class ListenAddressGuardTests
{
    [Fact]
    public async Task Start_ConfiguredEndpointBeyondLoopbackWithoutAKey_IsRefusedAndStops()
    {
        // Kestrel:Endpoints overrides the loopback URL the host was given: only the bound address tells.
        await using LoopbackServer server = await ThawApiServer.StartAsync(new() { ["Kestrel:Endpoints:Public:Url"] = "http://0.0.0.0:0" });

        string? refusal = server.App.Services.GetRequiredService<ListenAddressGuard>().Refusal;

        Assert.NotNull(refusal);
        Assert.Contains("http://0.0.0.0:", refusal, StringComparison.Ordinal);
        Assert.True(server.App.Lifetime.ApplicationStopping.IsCancellationRequested);
        Assert.Contains(server.Logs.Messages, m => m.StartsWith("Refusing to listen on", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_ConfiguredEndpointBeyondLoopbackWithAKey_Serves()
    {
        await using LoopbackServer server = await ThawApiServer.StartAsync(new()
        {
            ["Kestrel:Endpoints:Public:Url"] = "http://0.0.0.0:0",
            ["Thaw:ApiKeys:0"] = "key",
        });

        Assert.Null(server.App.Services.GetRequiredService<ListenAddressGuard>().Refusal);
        Assert.Equal("ok", await server.Client.GetStringAsync(new Uri($"http://127.0.0.1:{server.Client.BaseAddress!.Port}/healthz")));
    }

    [Fact]
    public async Task InvokeAsync_BeforeTheAddressesWereChecked_Answers503AndServesNothing()
    {
        await using LoopbackServer server = await ThawApiServer.StartAsync(new());
        var guard = ActivatorUtilities.CreateInstance<ListenAddressGuard>(server.App.Services);
        var context = new DefaultHttpContext { RequestServices = server.App.Services };
        bool served = false;

        await guard.InvokeAsync(context, _ =>
        {
            served = true;
            return Task.CompletedTask;
        });

        Assert.False(served);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
    }
}
