using System.Diagnostics;

namespace Thaw.Inference.Telemetry;

/// <summary>The names under which Thaw publishes metrics and traces (subscribe to them in OpenTelemetry).</summary>
public static class ThawTelemetry
{
    public const string MeterName = "Thaw.Inference";

    public const string ActivitySourceName = "Thaw.Inference";

    internal static ActivitySource ActivitySource { get; } = new(ActivitySourceName);
}
