namespace Thaw.Inference.Generation.Scheduling;

/// <summary>When waiting requests may join the running ones.</summary>
public enum SchedulingMode
{
    /// <summary>At the next step, whenever a slot is free (continuous batching).</summary>
    Continuous,

    /// <summary>
    /// Only once every running request has finished (static batching). Slower for everyone; it exists to measure
    /// what continuous batching buys on the same loop.
    /// </summary>
    Static,
}
