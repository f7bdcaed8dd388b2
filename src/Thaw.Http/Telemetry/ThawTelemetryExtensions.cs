using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Thaw.Inference.Telemetry;

namespace Thaw.Http.Telemetry;

public static class ThawTelemetryExtensions
{
    /// <summary>
    /// OpenTelemetry for Thaw's meter and activity source plus ASP.NET Core's request spans and metrics. Each request
    /// has a span; each forward pass has a <c>thaw.batch</c> span linked to the requests it served. Exporters are
    /// added by the host: Prometheus (<see cref="MapThawMetrics"/>), Azure Monitor (Thaw.Azure).
    /// </summary>
    /// <param name="builder">The host.</param>
    /// <param name="prometheus">Whether this host can serve <c>/metrics</c> (the standalone host, per <c>Thaw:Telemetry:Prometheus</c>).</param>
    public static OpenTelemetryBuilder AddThawTelemetry(this IHostApplicationBuilder builder, bool prometheus)
    {
        return builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("thaw"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ThawTelemetry.MeterName).AddAspNetCoreInstrumentation();
                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }
            })
            .WithTracing(tracing => tracing.AddSource(ThawTelemetry.ActivitySourceName).AddAspNetCoreInstrumentation());
    }

    /// <summary>Whether <c>Thaw:Telemetry:Prometheus</c> asks for a <c>/metrics</c> endpoint.</summary>
    public static bool PrometheusEnabled(IConfiguration configuration) =>
        (configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new()).Prometheus;

    /// <summary>Maps <c>GET /metrics</c> (Prometheus text format); needs <c>AddThawTelemetry(prometheus: true)</c>.</summary>
    public static IEndpointRouteBuilder MapThawMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint("/metrics");
        return endpoints;
    }
}
