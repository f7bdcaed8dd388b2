namespace Thaw.Inference.KeepAlive;

/// <summary>The <c>Thaw:KeepAlive</c> configuration section.</summary>
public sealed class KeepAliveOptions
{
    public const string SectionName = "Thaw:KeepAlive";

    /// <summary>The policy: <c>fixed</c> (the default) or <c>histogram</c>.</summary>
    public string Policy { get; set; } = FixedKeepAlivePolicy.PolicyName;

    public FixedKeepAliveOptions Fixed { get; set; } = new();

    /// <summary>The histogram policy's settings; also the shape of the idle-time statistics, recorded whatever the policy.</summary>
    public HistogramKeepAliveOptions Histogram { get; set; } = new();

    /// <summary>Where idle-time statistics are kept without Blob Storage. Default: <c>{CacheDirectory}/keepalive</c>.</summary>
    public string? StatisticsDirectory { get; set; }
}
