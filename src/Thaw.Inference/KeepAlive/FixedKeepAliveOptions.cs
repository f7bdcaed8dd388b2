namespace Thaw.Inference.KeepAlive;

/// <summary>The <c>fixed</c> policy: stay loaded for a window after each request, never pre-warm.</summary>
public sealed class FixedKeepAliveOptions
{
    /// <summary>How long a model stays loaded after its last request (Ray Serve's default; Knative uses 30 s, Modal 60 s).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);

    /// <exception cref="ArgumentException">The window is negative.</exception>
    public void Validate()
    {
        if (Window < TimeSpan.Zero)
        {
            throw new ArgumentException($"The fixed keep-alive window must not be negative, got {Window}.");
        }
    }
}
