namespace Thaw.Cli.Simulation;

/// <summary>Requests over time, sorted by arrival, for one or more models.</summary>
internal sealed class ArrivalTrace
{
    /// <exception cref="ArgumentException">The arrivals are not sorted, or one lies beyond <paramref name="duration"/>.</exception>
    public ArrivalTrace(string name, IReadOnlyList<Arrival> arrivals, TimeSpan duration)
    {
        for (int i = 1; i < arrivals.Count; i++)
        {
            if (arrivals[i].At < arrivals[i - 1].At)
            {
                throw new ArgumentException($"Arrival {i} ({arrivals[i].At}) is earlier than arrival {i - 1} ({arrivals[i - 1].At}).", nameof(arrivals));
            }
        }

        if (arrivals.Count > 0 && arrivals[^1].At > duration)
        {
            throw new ArgumentException($"The last arrival ({arrivals[^1].At}) lies beyond the trace's duration ({duration}).", nameof(duration));
        }

        Name = name;
        Arrivals = arrivals;
        Duration = duration;
    }

    public string Name { get; }

    public IReadOnlyList<Arrival> Arrivals { get; }

    /// <summary>The simulated span: from 0 to this, at or after the last arrival.</summary>
    public TimeSpan Duration { get; }

    /// <summary>The models, in order of their first request.</summary>
    public IReadOnlyList<string> Models => [.. Arrivals.Select(a => a.Model).Distinct(StringComparer.Ordinal)];
}
