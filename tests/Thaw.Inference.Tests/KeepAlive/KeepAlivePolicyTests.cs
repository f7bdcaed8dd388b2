using Thaw.Inference.KeepAlive;

namespace Thaw.Inference.Tests.KeepAlive;

public sealed class KeepAlivePolicyTests
{
    private static readonly IKeepAlivePolicy Histogram = KeepAlivePolicies.Histogram(new HistogramKeepAliveOptions());

    [Fact]
    public void Fixed_KeepsLoadedForTheWindowAndNeverPrewarms()
    {
        IKeepAlivePolicy policy = KeepAlivePolicies.Fixed(new FixedKeepAliveOptions { Window = TimeSpan.FromMinutes(3) });

        KeepAliveDecision decision = policy.Decide(Histograms.Of((30, 100)));

        Assert.Equal(("fixed", TimeSpan.Zero, TimeSpan.FromMinutes(3), false), (policy.Name, decision.PrewarmDelay, decision.KeepAliveWindow, decision.Prewarms));
    }

    [Fact]
    public void Fixed_DefaultsToTenMinutes() =>
        Assert.Equal(TimeSpan.FromMinutes(10), KeepAlivePolicies.Create(new KeepAliveOptions()).Decide(Histograms.Of()).KeepAliveWindow);

    [Fact]
    public void Histogram_OnePeriod_PrewarmsJustBeforeItAndKeepsAliveJustPastIt()
    {
        // Every idle time is 29-30 minutes: ready at 29 min less 10%, loaded until 30 min plus 10%.
        KeepAliveDecision decision = Histogram.Decide(Histograms.Of((29.5, 100)));

        Assert.Equal(TimeSpan.FromMinutes(26.1), decision.PrewarmDelay);
        Assert.Equal(TimeSpan.FromMinutes(33) - TimeSpan.FromMinutes(26.1), decision.KeepAliveWindow);
        Assert.True(decision.Prewarms);
    }

    [Fact]
    public void Histogram_UsesTheLowAndHighPercentiles()
    {
        // 5th percentile in the 2-minute bin, 99th in the 29-minute bin; the sample at 90 minutes lies above the 99th.
        KeepAliveDecision decision = Histogram.Decide(Histograms.Of((2, 10), (10, 185), (29, 4), (90, 1)));

        Assert.Equal(TimeSpan.FromMinutes(1.8), decision.PrewarmDelay);
        Assert.Equal(TimeSpan.FromMinutes(33) - TimeSpan.FromMinutes(1.8), decision.KeepAliveWindow);
    }

    [Fact]
    public void Histogram_LowPercentileInTheFirstBin_StaysLoadedInstead()
    {
        KeepAliveDecision decision = Histogram.Decide(Histograms.Of((0.2, 50), (4.5, 50)));

        Assert.Equal(TimeSpan.Zero, decision.PrewarmDelay);
        Assert.Equal(TimeSpan.FromMinutes(5.5), decision.KeepAliveWindow);
    }

    [Theory]
    [InlineData(9, 0, "9 samples, fewer than 10")]
    [InlineData(10, 11, "52 % of idle times beyond 04:00:00")]
    public void Histogram_TooFewOrOutOfRange_FallsBackToTheFixedWindow(int inRange, int outOfRange, string reason)
    {
        KeepAliveDecision decision = Histogram.Decide(Histograms.Of((30, inRange), (500, outOfRange)));

        Assert.Equal((TimeSpan.Zero, TimeSpan.FromMinutes(10)), (decision.PrewarmDelay, decision.KeepAliveWindow));
        Assert.Equal($"fallback: {reason}", decision.Reason);
    }

    [Fact]
    public void Histogram_IdleTimesSpreadEvenly_FallsBack()
    {
        // 60 bins of 240 equally full: CV = sqrt(240/60 - 1) = 1.73, under the paper's threshold of 2.
        KeepAliveDecision decision = Histogram.Decide(Histograms.Of([.. Enumerable.Range(0, 60).Select(m => (m * 4.0, 3L))]));

        Assert.StartsWith("fallback: idle times too spread to predict (bin-count CV 1.73", decision.Reason, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMinutes(10), decision.KeepAliveWindow);
    }

    [Theory]
    [InlineData(0, 99, "Thaw:KeepAlive:Histogram:PrewarmPercentile is 0; allowed: more than 0 and less than 100.")]
    [InlineData(5, 100, "Thaw:KeepAlive:Histogram:KeepAlivePercentile is 100; allowed: more than 0 and less than 100.")]
    [InlineData(99, 5, "Thaw:KeepAlive:Histogram:PrewarmPercentile, Thaw:KeepAlive:Histogram:KeepAlivePercentile: PrewarmPercentile (99) must be lower than KeepAlivePercentile (5).")]
    [InlineData(50, 50, "Thaw:KeepAlive:Histogram:PrewarmPercentile, Thaw:KeepAlive:Histogram:KeepAlivePercentile: PrewarmPercentile (50) must be lower than KeepAlivePercentile (50).")]
    public void Histogram_ImpossiblePercentiles_AreRejectedByName(double low, double high, string message)
    {
        var options = new HistogramKeepAliveOptions { PrewarmPercentile = low, KeepAlivePercentile = high };

        Assert.Equal(message, Assert.Throws<ArgumentException>(() => KeepAlivePolicies.Histogram(options)).Message);
    }

    [Fact]
    public void ImpossibleWindowsAndUnknownNames_AreRejectedByName()
    {
        Assert.Equal("Thaw:KeepAlive:Fixed:Window is -00:01:00; allowed: 00:00:00 to 365.00:00:00.",
            Assert.Throws<ArgumentException>(() => KeepAlivePolicies.Fixed(new FixedKeepAliveOptions { Window = TimeSpan.FromMinutes(-1) })).Message);
        Assert.Equal("Thaw:KeepAlive:Histogram:FallbackWindow is -00:00:01; allowed: 00:00:00 to 365.00:00:00.",
            Assert.Throws<ArgumentException>(() => KeepAlivePolicies.Histogram(new HistogramKeepAliveOptions { FallbackWindow = TimeSpan.FromSeconds(-1) })).Message);
        Assert.Equal("Unknown keep-alive policy 'lru'; known: fixed, histogram.",
            Assert.Throws<ArgumentException>(() => KeepAlivePolicies.Create(new KeepAliveOptions { Policy = "lru" })).Message);
    }
}
