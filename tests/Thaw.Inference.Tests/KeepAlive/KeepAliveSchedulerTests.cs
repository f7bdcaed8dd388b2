using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Thaw.Inference.KeepAlive;

namespace Thaw.Inference.Tests.KeepAlive;

/// <summary>The keep-alive scheduler alone, on a fake clock: which callback it makes, when, and with which use stamp.</summary>
public sealed class KeepAliveSchedulerTests : IAsyncDisposable
{
    private static readonly TimeSpan OneMinuteLoad = TimeSpan.FromMinutes(1);
    private readonly FakeTimeProvider _time = new();
    private readonly MemoryIdleStatisticsStore _store = new();
    private readonly List<(string Model, long Stamp)> _unloads = [];
    private readonly List<(string Model, long Stamp)> _prewarms = [];
    private readonly Queue<IdleUnload> _answers = new();
    private KeepAliveScheduler? _scheduler;

    public async ValueTask DisposeAsync()
    {
        if (_scheduler is not null)
        {
            await _scheduler.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(0, 10, 10)]
    // Pre-warming would not pay when the predicted gap is shorter than the load: the model stays through the gap.
    [InlineData(30, 5, 5.5)]
    public void Served_NoPrewarmThatPays_AsksToUnloadWithTheStampWhenTheKeepAliveEnds(int prewarmDelaySeconds, int windowMinutes, double unloadMinutes)
    {
        KeepAliveScheduler scheduler = Create(new Scripted(TimeSpan.FromSeconds(prewarmDelaySeconds), TimeSpan.FromMinutes(windowMinutes)));

        scheduler.Served("a", 7, OneMinuteLoad);
        _time.Advance(TimeSpan.FromMinutes(unloadMinutes) - TimeSpan.FromSeconds(1));
        Assert.Empty(_unloads);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([("a", 7L)], _unloads);
        Assert.Empty(_prewarms);
    }

    [Theory]
    [InlineData(1, 2, 15)]
    // An older request finishing after a newer one: the newer one's timer stands.
    [InlineData(2, 1, 10)]
    public void Served_TwoUses_TheTimerOfTheNewerStandsAlone(long first, long second, int unloadMinutes)
    {
        KeepAliveScheduler scheduler = Create(new Scripted(TimeSpan.Zero, TimeSpan.FromMinutes(10)));
        scheduler.Served("a", first, OneMinuteLoad);
        _time.Advance(TimeSpan.FromMinutes(5));

        scheduler.Served("a", second, OneMinuteLoad);
        _time.Advance(TimeSpan.FromMinutes(unloadMinutes - 5) - TimeSpan.FromSeconds(1));
        Assert.Empty(_unloads);
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal([("a", 2L)], _unloads);
    }

    [Fact]
    public void UnloadDue_ModelBusy_AsksAgainAfterTheRecheck()
    {
        KeepAliveScheduler scheduler = Create(new Scripted(TimeSpan.Zero, TimeSpan.FromMinutes(10)));
        _answers.Enqueue(IdleUnload.Busy);
        scheduler.Served("a", 3, OneMinuteLoad);

        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Single(_unloads);
        _time.Advance(KeepAliveScheduler.BusyRecheck);
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal([("a", 3L), ("a", 3L)], _unloads);
    }

    [Fact]
    public void Served_PredictedGapLongerThanTheLoad_UnloadsAfterTheGraceAndPrewarmsOneLoadAheadOfIt()
    {
        KeepAliveScheduler scheduler = Create(new Scripted(TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(5)));

        scheduler.Served("a", 4, OneMinuteLoad);
        _time.Advance(KeepAliveScheduler.UnloadGrace);
        Assert.Equal([("a", 4L)], _unloads);
        _time.Advance(TimeSpan.FromMinutes(29) - KeepAliveScheduler.UnloadGrace - TimeSpan.FromSeconds(1));
        Assert.Empty(_prewarms);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([("a", 4L)], _prewarms);
    }

    [Fact]
    public void NoPolicy_NeverAsksToUnloadOrPrewarm()
    {
        KeepAliveScheduler scheduler = Create(NoKeepAlivePolicy.Instance);

        scheduler.Loaded("a", 0);
        scheduler.Served("a", 1, OneMinuteLoad);
        _time.Advance(TimeSpan.FromDays(365));

        Assert.Empty(_unloads);
        Assert.Empty(_prewarms);
    }

    [Fact]
    public async Task Loaded_ReadsTheStoredStatistics_AndDecidesFromThem()
    {
        // Other instances learned a request every 30 minutes: the histogram policy unloads at once and pre-warms.
        await _store.MergeAsync("a", Histograms.Of((30, 20)));
        KeepAliveScheduler scheduler = Create(KeepAlivePolicies.Histogram(new HistogramKeepAliveOptions()));

        scheduler.Loaded("a", 0);
        await scheduler.WhenBackgroundWorkDoneAsync();
        scheduler.Served("a", 1, OneMinuteLoad);
        _time.Advance(KeepAliveScheduler.UnloadGrace);

        // Without the stored samples it would be the fallback's ten-minute window.
        Assert.Equal([("a", 1L)], _unloads);
    }

    [Fact]
    public async Task DisposeAsync_MergesTheIdleTimesIntoTheStore_AndStopsTheTimers()
    {
        KeepAliveScheduler scheduler = Create(new Scripted(TimeSpan.Zero, TimeSpan.FromMinutes(10)));
        for (int i = 0; i < 3; i++)
        {
            scheduler.Requested("a");
            scheduler.Served("a", i, OneMinuteLoad);
            _time.Advance(TimeSpan.FromMinutes(2));
        }

        await scheduler.DisposeAsync();
        _time.Advance(TimeSpan.FromHours(1));

        IdleTimeHistogram stored = (await _store.LoadAsync("a"))!;
        Assert.Equal((2L, 2L), (stored.Total, stored[2]));
        Assert.Empty(_unloads);
    }

    private KeepAliveScheduler Create(IKeepAlivePolicy policy)
    {
        _scheduler = new KeepAliveScheduler(policy, _store, new HistogramKeepAliveOptions(), _time, NullLogger.Instance,
            (model, stamp) =>
            {
                _unloads.Add((model, stamp));
                return _answers.TryDequeue(out IdleUnload answer) ? answer : IdleUnload.Unloaded;
            },
            (model, stamp) => _prewarms.Add((model, stamp)));
        return _scheduler;
    }

    /// <summary>One decision whatever the statistics: the scheduler's timing, not a policy's, is under test.</summary>
    private sealed class Scripted(TimeSpan prewarmDelay, TimeSpan window) : IKeepAlivePolicy
    {
        public string Name => "scripted";

        public KeepAliveDecision Decide(IdleTimeHistogram idleTimes) => new(prewarmDelay, window, "scripted");
    }
}
