using Thaw.Cli.Simulation;

namespace Thaw.Cli.Tests.Simulation;

public sealed class SyntheticTracesTests
{
    [Theory]
    [InlineData(nameof(SyntheticTraceKind.Rare))]
    [InlineData(nameof(SyntheticTraceKind.Periodic))]
    [InlineData(nameof(SyntheticTraceKind.Diurnal))]
    [InlineData(nameof(SyntheticTraceKind.Bursty))]
    public void Generate_SameSeed_SameTrace_OtherSeed_OtherTrace(string kindName)
    {
        SyntheticTraceKind kind = Enum.Parse<SyntheticTraceKind>(kindName);
        ArrivalTrace a = SyntheticTraces.Generate(kind, 7, TimeSpan.FromDays(3));
        ArrivalTrace b = SyntheticTraces.Generate(kind, 7, TimeSpan.FromDays(3));
        ArrivalTrace c = SyntheticTraces.Generate(kind, 8, TimeSpan.FromDays(3));

        Assert.NotEmpty(a.Arrivals);
        Assert.Equal(a.Arrivals, b.Arrivals);
        Assert.NotEqual(a.Arrivals, c.Arrivals);
        Assert.All(a.Arrivals, x => Assert.InRange(x.At, TimeSpan.Zero, TimeSpan.FromDays(3)));
        Assert.Equal((kind.ToString().ToLowerInvariant(), TimeSpan.FromDays(3)), (a.Name, a.Duration));
    }

    [Fact]
    public void Periodic_FiresOncePerPeriodPerTimer()
    {
        ArrivalTrace trace = SyntheticTraces.Generate(SyntheticTraceKind.Periodic, 1, TimeSpan.FromDays(1));

        Assert.Equal(["timer-15m", "timer-30m", "timer-60m"], trace.Models.Order(StringComparer.Ordinal));
        // 96, 48 and 24 firings a day, give or take the first one's phase, plus 2% retries.
        Assert.InRange(trace.Arrivals.Count(a => a.Model == "timer-15m"), 95, 104);
        Assert.InRange(trace.Arrivals.Count(a => a.Model == "timer-60m"), 23, 27);
    }

    [Fact]
    public void Diurnal_IsSilentAtNight()
    {
        ArrivalTrace trace = SyntheticTraces.Generate(SyntheticTraceKind.Diurnal, 1, TimeSpan.FromDays(2));

        Assert.DoesNotContain(trace.Arrivals, a => a.At.Hours is < 7 or >= 22);
        Assert.All(trace.Arrivals.Where(a => a.Model == "office-15m"), a => Assert.InRange(a.At.Hours, 8, 17));
    }
}
