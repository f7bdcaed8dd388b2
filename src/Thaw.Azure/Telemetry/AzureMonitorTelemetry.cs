using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using OpenTelemetry;

namespace Thaw.Azure.Telemetry;

public static class AzureMonitorTelemetry
{
    /// <summary>The setting Azure sets for Application Insights (Functions and Container Apps alike).</summary>
    public const string ConnectionStringKey = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>Exports traces, metrics and logs to Azure Monitor when its connection string is configured; else does nothing.</summary>
    public static IOpenTelemetryBuilder AddThawAzureMonitor(this IOpenTelemetryBuilder telemetry, IConfiguration configuration)
    {
        string? connectionString = configuration[ConnectionStringKey];
        return string.IsNullOrWhiteSpace(connectionString)
            ? telemetry
            : telemetry.UseAzureMonitorExporter(options => options.ConnectionString = connectionString);
    }
}
