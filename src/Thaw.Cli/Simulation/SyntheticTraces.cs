namespace Thaw.Cli.Simulation;

/// <summary>Deterministic synthetic arrival traces: the same kind, seed and duration give the same trace.</summary>
internal static class SyntheticTraces
{
    /// <exception cref="ArgumentOutOfRangeException">The duration is not positive or longer than a year.</exception>
    public static ArrivalTrace Generate(SyntheticTraceKind kind, int seed, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(duration, TimeSpan.FromDays(366));
        var random = new SeededRandom(unchecked(((ulong)(uint)seed << 8) | (ulong)kind));
        double end = duration.TotalSeconds;
        var arrivals = new List<Arrival>();
        switch (kind)
        {
            case SyntheticTraceKind.Rare:
                Poisson(arrivals, random, end, "rare-6h", meanGap: 6 * Hour);
                Poisson(arrivals, random, end, "rare-12h", meanGap: 12 * Hour);
                break;
            case SyntheticTraceKind.Periodic:
                Timer(arrivals, random, end, "timer-15m", 15 * Minute);
                Timer(arrivals, random, end, "timer-30m", 30 * Minute);
                Timer(arrivals, random, end, "timer-60m", 60 * Minute);
                break;
            case SyntheticTraceKind.Diurnal:
                Office(arrivals, random, end, "office-15m", cadence: 15 * Minute, opens: 8, closes: 18);
                Office(arrivals, random, end, "office-20m", cadence: 20 * Minute, opens: 7, closes: 22);
                break;
            case SyntheticTraceKind.Bursty:
                Bursts(arrivals, random, end, "bursts-90m", meanGap: 90 * Minute);
                Bursts(arrivals, random, end, "bursts-3h", meanGap: 3 * Hour);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown synthetic trace kind.");
        }

        // Stable: arrivals at the same instant keep the order their models were generated in.
        Arrival[] sorted = [.. arrivals.OrderBy(a => a.At)];
        return new ArrivalTrace(kind.ToString().ToLowerInvariant(), sorted, duration);
    }

    private const double Minute = 60, Hour = 3600;

    private static void Poisson(List<Arrival> arrivals, SeededRandom random, double end, string model, double meanGap)
    {
        for (double t = random.Exponential(meanGap); t < end; t += random.Exponential(meanGap))
        {
            Add(arrivals, t, model);
        }
    }

    // A timer fires every period with up to ±30 s of jitter; 2% of firings are retried 2-10 s later.
    private static void Timer(List<Arrival> arrivals, SeededRandom random, double end, string model, double period)
    {
        for (double tick = random.Between(0, period); tick < end; tick += period)
        {
            double t = Math.Max(0, tick + random.Between(-30, 30));
            Add(arrivals, t, model, end);
            if (random.NextDouble() < 0.02)
            {
                Add(arrivals, t + random.Between(2, 10), model, end);
            }
        }
    }

    // Every day, from the opening hour to the closing hour, one request per cadence (±5%); silent at night.
    private static void Office(List<Arrival> arrivals, SeededRandom random, double end, string model, double cadence, int opens, int closes)
    {
        for (double day = 0; day < end; day += 24 * Hour)
        {
            double close = day + (closes * Hour);
            for (double t = day + (opens * Hour) + random.Between(0, cadence); t < close; t += cadence * random.Between(0.95, 1.05))
            {
                Add(arrivals, t, model, end);
            }
        }
    }

    // Bursts of 10-60 requests about 5 s apart; the bursts start at random, meanGap apart on average.
    private static void Bursts(List<Arrival> arrivals, SeededRandom random, double end, string model, double meanGap)
    {
        for (double start = random.Exponential(meanGap); start < end; start += random.Exponential(meanGap))
        {
            int size = (int)random.Between(10, 61);
            double t = start;
            for (int i = 0; i < size && t < end; i++, t += random.Exponential(5))
            {
                Add(arrivals, t, model);
            }
        }
    }

    private static void Add(List<Arrival> arrivals, double seconds, string model, double end = double.MaxValue)
    {
        if (seconds < end)
        {
            arrivals.Add(new Arrival(TimeSpan.FromSeconds(seconds), model));
        }
    }
}
