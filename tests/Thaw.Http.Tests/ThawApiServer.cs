using Microsoft.AspNetCore.Builder;
using Thaw.Inference.Hosting;
using Thaw.Inference.Jobs.Local;
using Thaw.Inference.Models;
using Thaw.Inference.Onnx;
using Thaw.Testing;

namespace Thaw.Http.Tests;

/// <summary>The Thaw API on Kestrel with the real models, small limits so that 413s are cheap to provoke.</summary>
public sealed class ThawApiServer : IAsyncLifetime
{
    public const int MaxInputs = 8;
    public const int MaxInputChars = 2000;
    public const int MaxRequestBytes = 64 * 1024;

    internal LoopbackServer Server { get; private set; } = null!;

    public HttpClient Client => Server.Client;

    public IEnumerable<string> LogMessages => Server.Logs.Messages;

    public async Task InitializeAsync()
    {
        Server = await StartAsync(new Dictionary<string, string?>());
        await Server.App.Services.GetRequiredService<ModelHost>().LoadAsync(RealModels.MiniLm);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    internal static async Task<LoopbackServer> StartAsync(
        Dictionary<string, string?> settings, string? catalogDirectory = null, bool jobListener = false, Action<WebApplicationBuilder>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        CapturingLoggerProvider logs = LoopbackServer.CaptureLogs(builder);
        builder.Configuration.AddInMemoryCollection(RealModels.HostSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Thaw:Models:CatalogDirectory"] = catalogDirectory ?? RealModels.CatalogDirectory,
            ["Thaw:Limits:MaxInputs"] = MaxInputs.ToString(CultureInfo.InvariantCulture),
            ["Thaw:Limits:MaxInputChars"] = MaxInputChars.ToString(CultureInfo.InvariantCulture),
            ["Thaw:Limits:MaxRequestBytes"] = MaxRequestBytes.ToString(CultureInfo.InvariantCulture),
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddThawInference();
        builder.AddThawOnnx();
        builder.AddThawHttp();
        builder.AddThawStandaloneHttp();
        if (jobListener)
        {
            builder.AddThawJobListener();
        }

        configure?.Invoke(builder);
        WebApplication app = builder.Build();
        app.UseThawStandaloneHttp();
        app.MapThawApi();
        return await LoopbackServer.StartAsync(app, logs);
    }
}
