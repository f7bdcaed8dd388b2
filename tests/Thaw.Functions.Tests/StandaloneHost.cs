using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Thaw.Http;
using Thaw.Inference.Hosting;
using Thaw.Inference.Onnx;
using Thaw.Testing;

namespace Thaw.Functions.Tests;

/// <summary>The standalone host (the worker's handlers on Kestrel, loopback) over the same settings: the answers the worker's must equal.</summary>
internal static class StandaloneHost
{
    public static Task<LoopbackServer> StartAsync(Dictionary<string, string?> settings)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        CapturingLoggerProvider logs = LoopbackServer.CaptureLogs(builder);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddThawInference();
        builder.AddThawOnnx();
        builder.AddThawHttp();
        builder.AddThawStandaloneHttp();
        WebApplication app = builder.Build();
        app.UseThawStandaloneHttp();
        app.MapThawApi();
        return LoopbackServer.StartAsync(app, logs);
    }
}
