using Thaw.Inference.KeepAlive;

namespace Thaw.Cli.Simulation;

/// <summary>
/// Replays a trace against a keep-alive policy, event by event (no clock ticks), one instance per model. A request
/// that finds its model unloaded waits for a load (a cold start); a request that arrives while a pre-warm loads waits
/// for the rest of it (also counted as a cold start). After each request the policy decides, from the idle times the
/// model has seen so far (learned online, as the pool would), whether it stays loaded and for how long, or unloads
/// and is pre-warmed to be ready again later. Execution time is zero: the instance is either idle or loading.
/// </summary>
internal static class KeepAliveSimulator
{
    /// <exception cref="ArgumentException">Impossible settings; the message names the value.</exception>
    /// <param name="trace">The arrivals to replay.</param>
    /// <param name="label">The policy's name in the results.</param>
    /// <param name="policy">The policy under test.</param>
    /// <param name="settings">Cold-start time and price.</param>
    /// <param name="histogram">The shape of the idle-time histograms the policy reads (as the pool's: Thaw:KeepAlive:Histogram); default: the default shape.</param>
    public static SimulationResult Run(ArrivalTrace trace, string label, IKeepAlivePolicy policy, SimulationSettings settings, HistogramKeepAliveOptions? histogram = null)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        HistogramKeepAliveOptions shape = histogram ?? new HistogramKeepAliveOptions();
        var totals = new Totals();
        foreach (IGrouping<string, Arrival> model in trace.Arrivals.GroupBy(a => a.Model, StringComparer.Ordinal))
        {
            Replay(model.Select(a => a.At.TotalSeconds), trace.Duration.TotalSeconds, policy, IdleTimeHistogram.Create(shape), settings.ColdStart.TotalSeconds, totals);
        }

        totals.Latencies.Sort();
        double loaded = totals.Idle + totals.Loading;
        return new SimulationResult(trace.Name, label, totals.Latencies.Count, totals.ColdStarts,
            TimeSpan.FromSeconds(NearestRank(totals.Latencies, 0.50)), TimeSpan.FromSeconds(NearestRank(totals.Latencies, 0.99)),
            totals.Idle, totals.Loading, loaded / 3600 * settings.GpuPricePerHour);
    }

    private static void Replay(IEnumerable<double> arrivals, double end, IKeepAlivePolicy policy, IdleTimeHistogram idleTimes, double load, Totals totals)
    {
        // The plan after the previous request: loading during [loadStart, ready), ready until unload. A plan that
        // keeps the model loaded has loadStart == ready == the previous request's completion.
        double done = double.NaN, loadStart = 0, ready = 0, unload = double.NegativeInfinity;
        foreach (double t in arrivals)
        {
            double wait;
            if (double.IsNaN(done))
            {
                wait = ColdStart(totals, load);
            }
            else if (t < done)
            {
                // Arrived while an earlier request still waited for its load: waits with it; no idle time in between.
                wait = done - t;
                totals.ColdStarts++;
            }
            else
            {
                idleTimes.Add(TimeSpan.FromSeconds(t - done));
                if (t < loadStart)
                {
                    // Unloaded, and the pre-warm has not begun: this request loads the model itself.
                    wait = ColdStart(totals, load);
                }
                else
                {
                    // A pre-warm load that began runs to its end, whether or not the request waits for it.
                    totals.Loading += ready - loadStart;
                    if (t < ready)
                    {
                        wait = ready - t;
                        totals.ColdStarts++;
                    }
                    else if (t <= unload)
                    {
                        totals.Idle += t - ready;
                        wait = 0;
                    }
                    else
                    {
                        totals.Idle += unload - ready;
                        wait = ColdStart(totals, load);
                    }
                }
            }

            totals.Latencies.Add(wait);
            done = t + wait;
            KeepAliveDecision decision = policy.Decide(idleTimes);
            double prewarm = decision.PrewarmDelay.TotalSeconds, keepAlive = decision.KeepAliveWindow.TotalSeconds;
            // Unloading pays only when the model can be unloaded before the pre-warm load must start.
            (loadStart, ready) = prewarm - load > 0 ? (done + prewarm - load, done + prewarm) : (done, done);
            unload = ready + keepAlive + (ready == done ? prewarm : 0);
        }

        if (!double.IsNaN(done) && end > done)
        {
            totals.Loading += Math.Max(0, Math.Min(end, ready) - loadStart);
            totals.Idle += Math.Max(0, Math.Min(end, unload) - ready);
        }
    }

    private static double ColdStart(Totals totals, double load)
    {
        totals.ColdStarts++;
        totals.Loading += load;
        return load;
    }

    private static double NearestRank(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private sealed class Totals
    {
        public List<double> Latencies { get; } = [];

        public long ColdStarts { get; set; }

        public double Idle { get; set; }

        public double Loading { get; set; }
    }
}
