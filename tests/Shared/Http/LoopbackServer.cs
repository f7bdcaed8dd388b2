using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;

namespace Thaw.Testing;

/// <summary>A real Kestrel server on 127.0.0.1 with a free port, and a client for it.</summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private LoopbackServer(WebApplication app, Uri address, CapturingLoggerProvider logs)
    {
        App = app;
        Logs = logs;
        Client = new HttpClient { BaseAddress = address };
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    /// <summary>Every line the server logged.</summary>
    public CapturingLoggerProvider Logs { get; }

    public static async Task<LoopbackServer> StartAsync(WebApplication app, CapturingLoggerProvider logs)
    {
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackServer(app, new Uri(address), logs);
    }

    /// <summary>Registers a provider that captures the host's logs, at every level.</summary>
    public static CapturingLoggerProvider CaptureLogs(WebApplicationBuilder builder)
    {
        var provider = new CapturingLoggerProvider();
        builder.Logging.AddProvider(provider);
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
