namespace Thaw.Inference.Simulation;

/// <summary>A request to <paramref name="Model"/> at <paramref name="At"/> after the trace's start.</summary>
public readonly record struct Arrival(TimeSpan At, string Model);
