namespace Thaw.Cli.Simulation;

/// <summary>What the simulator assumes about the platform.</summary>
internal sealed record SimulationSettings
{
    /// <summary>
    /// How long loading a model takes (a cold start's added latency, and a pre-warm's lead time). Default: 1.3 s,
    /// all-MiniLM-L6-v2's load measured with <c>thaw bench model</c> on a 2-core machine.
    /// </summary>
    public TimeSpan ColdStart { get; init; } = TimeSpan.FromSeconds(1.3);

    /// <summary>US dollars per hour of a loaded instance (one GPU).</summary>
    public double GpuPricePerHour { get; init; } = 1.20;

    /// <exception cref="ArgumentException">A negative cold start or price; the message names the value.</exception>
    public void Validate()
    {
        if (ColdStart < TimeSpan.Zero)
        {
            throw new ArgumentException($"The cold-start time must not be negative, got {ColdStart}.");
        }

        if (!(GpuPricePerHour >= 0) || double.IsInfinity(GpuPricePerHour))
        {
            throw new ArgumentException($"The GPU price must be a non-negative number of dollars per hour, got {GpuPricePerHour}.");
        }
    }
}
