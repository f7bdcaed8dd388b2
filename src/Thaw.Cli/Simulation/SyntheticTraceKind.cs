namespace Thaw.Cli.Simulation;

/// <summary>The shapes of traffic <see cref="SyntheticTraces"/> generates.</summary>
internal enum SyntheticTraceKind
{
    /// <summary>A few requests a day at random (Poisson): most idle times are longer than any keep-alive.</summary>
    Rare,

    /// <summary>Timers: one request every 15, 30 and 60 minutes (one model each), a little jitter, an occasional retry.</summary>
    Periodic,

    /// <summary>Clients that call on a cadence (every 15 or 20 minutes) during the day's working hours and are silent at night.</summary>
    Diurnal,

    /// <summary>Bursts of tens of requests seconds apart, the bursts themselves at random (Poisson), hours apart.</summary>
    Bursty,
}
