using Thaw.Azure;
using Thaw.Azure.Telemetry;
using Thaw.Http;
using Thaw.Http.Telemetry;
using Thaw.Inference.Hosting;
using Thaw.Inference.Jobs.Local;

namespace Thaw.Cli;

/// <summary>The standalone host behind <c>thaw serve</c>: the same handlers as the Functions app, on Kestrel.</summary>
public static class StandaloneHost
{
    public const string DefaultUrls = "http://127.0.0.1:7071";

    /// <param name="urls">Where to listen, e.g. <c>http://127.0.0.1:7071</c>; port 0 picks a free one.</param>
    /// <param name="overrides">Configuration keys and values with the highest precedence (<c>--set</c>).</param>
    public static WebApplication Build(string urls, IReadOnlyDictionary<string, string?> overrides)
    {
        // The slim builder: no IIS integration, hosting-startup scan, EventLog/Debug/EventSource loggers or regex
        // route constraints, none of which this host uses, and less to start. HTTPS endpoints (Kestrel:Endpoints) stay.
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.Configuration.AddInMemoryCollection(overrides);
        builder.WebHost.UseUrls(urls);
        builder.AddThaw().AddThawPrewarmScheduler().AddThawStandaloneHttp();
        // Batch jobs run in this host: the listener takes job messages from the queue (in-process by default).
        builder.AddThawJobListener();
        // Queued requests (Thaw:Jobs:RequestQueue) are answered here too when a storage account is configured.
        builder.AddThawRequestListener();
        bool prometheus = ThawTelemetryExtensions.PrometheusEnabled(builder.Configuration);
        builder.AddThawTelemetry(prometheus).AddThawAzureMonitor(builder.Configuration);

        WebApplication app = builder.Build();
        app.UseThawStandaloneHttp();
        app.MapThawApi();
        if (prometheus)
        {
            app.MapThawMetrics();
        }

        return app;
    }
}
