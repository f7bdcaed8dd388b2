using System.Diagnostics;

namespace Thaw.Inference.Models;

/// <summary>This instance's cold-start milestones, for <c>/readyz</c> and logs.</summary>
public sealed class InstanceTimeline(TimeProvider timeProvider)
{
    private long _hostReadyTicks;
    private long _firstRequestTicks;

    /// <summary>When the OS started this process.</summary>
    public DateTimeOffset ProcessStart { get; } = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public DateTimeOffset? HostReady => Read(ref _hostReadyTicks);

    public DateTimeOffset? FirstRequest => Read(ref _firstRequestTicks);

    public void MarkHostReady() => Interlocked.CompareExchange(ref _hostReadyTicks, timeProvider.GetUtcNow().UtcTicks, 0);

    public void MarkFirstRequest() => Interlocked.CompareExchange(ref _firstRequestTicks, timeProvider.GetUtcNow().UtcTicks, 0);

    private static DateTimeOffset? Read(ref long ticks)
    {
        long value = Interlocked.Read(ref ticks);
        return value == 0 ? null : new DateTimeOffset(value, TimeSpan.Zero);
    }
}
