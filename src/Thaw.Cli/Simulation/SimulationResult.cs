namespace Thaw.Cli.Simulation;

/// <summary>One policy replayed against one trace, summed over the trace's models.</summary>
/// <param name="Trace">The trace's name.</param>
/// <param name="Policy">The policy's label, e.g. <c>fixed:10m</c>.</param>
/// <param name="Requests">Requests replayed.</param>
/// <param name="ColdStarts">Requests that waited for a load (also those that arrived during a pre-warm's load).</param>
/// <param name="LatencyP50">Median added latency (waiting for a load; execution time is not modelled).</param>
/// <param name="LatencyP99">99th percentile of the added latency.</param>
/// <param name="IdleInstanceSeconds">Time a model was loaded and ready without serving.</param>
/// <param name="LoadingInstanceSeconds">Time spent loading (cold starts and pre-warms).</param>
/// <param name="Cost">US dollars of loaded time (idle plus loading) at the given GPU price.</param>
internal sealed record SimulationResult(
    string Trace,
    string Policy,
    long Requests,
    long ColdStarts,
    TimeSpan LatencyP50,
    TimeSpan LatencyP99,
    double IdleInstanceSeconds,
    double LoadingInstanceSeconds,
    double Cost)
{
    /// <summary>Cold starts per request (0..1).</summary>
    public double ColdStartRate => Requests == 0 ? 0 : (double)ColdStarts / Requests;
}
