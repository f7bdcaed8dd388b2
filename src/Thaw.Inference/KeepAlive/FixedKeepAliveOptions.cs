using Thaw.Inference.Settings;

namespace Thaw.Inference.KeepAlive;

/// <summary>The <c>fixed</c> policy: stay loaded for a window after each request, never pre-warm.</summary>
public sealed class FixedKeepAliveOptions : NestedOptions
{
    /// <summary>How long a model stays loaded after its last request (Ray Serve's default; Knative uses 30 s, Modal 60 s).</summary>
    [TimeSpanRange("00:00:00", "365.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);
}
