using System.ComponentModel.DataAnnotations;
using Thaw.Inference.Settings;

namespace Thaw.Http.Server;

/// <summary>
/// <c>Thaw:Http</c>: how long and how slowly a client may hold a request on the standalone host's Kestrel. The
/// Functions host has its own front end and does not read these (see docs/security.md).
/// </summary>
public sealed class ServerLimitsOptions
{
    public const string SectionName = "Thaw:Http";

    /// <summary>
    /// Slowest request body Kestrel accepts, averaged after <see cref="MinRequestBodyGracePeriod"/>: a client sending
    /// slower is answered 408 and disconnected. 16 KiB/s bounds a 16 MB body to about 17 minutes (Kestrel's own
    /// default, 240 B/s, let one hold a request for about 19 hours).
    /// </summary>
    [Range(1, 1L << 40)]
    public double MinRequestBodyBytesPerSecond { get; set; } = 16 * 1024;

    /// <summary>How long a body may start slowly before <see cref="MinRequestBodyBytesPerSecond"/> applies; over 1 s.</summary>
    [TimeSpanRange("00:00:01.001", "00:10:00")]
    public TimeSpan MinRequestBodyGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most time a client may take to send its request line and headers.</summary>
    [TimeSpanRange("00:00:00.001", "00:10:00")]
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most bytes of request headers (beyond it: 431).</summary>
    [Range(1024, 1 << 20)]
    public int MaxRequestHeadersTotalSize { get; set; } = 32 * 1024;

    /// <summary>Most request headers (beyond it: 431).</summary>
    [Range(8, 1000)]
    public int MaxRequestHeaderCount { get; set; } = 100;
}
