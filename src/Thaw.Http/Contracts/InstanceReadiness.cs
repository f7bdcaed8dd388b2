namespace Thaw.Http.Contracts;

public sealed class InstanceReadiness
{
    public required DateTimeOffset ProcessStart { get; init; }

    /// <summary>Process start to host ready (listening).</summary>
    public double? HostReadyMs { get; init; }

    /// <summary>Process start to the first API request.</summary>
    public double? FirstRequestMs { get; init; }
}
