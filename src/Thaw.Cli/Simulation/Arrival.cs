namespace Thaw.Cli.Simulation;

/// <summary>A request to <paramref name="Model"/> at <paramref name="At"/> after the trace's start.</summary>
internal readonly record struct Arrival(TimeSpan At, string Model);
