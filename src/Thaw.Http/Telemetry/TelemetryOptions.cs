namespace Thaw.Http.Telemetry;

/// <summary><c>Thaw:Telemetry</c>.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Thaw:Telemetry";

    /// <summary>Standalone host: serve metrics in Prometheus text format at <c>/metrics</c> (no key needed).</summary>
    public bool Prometheus { get; set; } = true;
}
