namespace Thaw.Inference.Jobs;

/// <summary>
/// A capped exponential pause for a loop that must go on whatever fails (a listener whose storage went away): each
/// <see cref="Next"/> doubles the pause from <c>first</c> up to <c>max</c>; <see cref="Reset"/> after a success. Not
/// thread-safe: one loop owns one.
/// </summary>
public sealed class Backoff
{
    private readonly TimeSpan _first;
    private readonly TimeSpan _max;
    private TimeSpan _next;

    public Backoff(TimeSpan first, TimeSpan max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(first, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, first);
        _first = first;
        _max = max;
        _next = first;
    }

    /// <summary>The pause to take now; the one after it is twice as long, up to the cap.</summary>
    public TimeSpan Next()
    {
        TimeSpan pause = _next;
        _next = TimeSpan.FromTicks(Math.Min(_next.Ticks * 2, _max.Ticks));
        return pause;
    }

    public void Reset() => _next = _first;
}
