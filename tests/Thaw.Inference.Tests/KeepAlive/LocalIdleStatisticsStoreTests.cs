using Microsoft.Extensions.Logging;
using Thaw.Inference.KeepAlive;
using Thaw.Testing;

namespace Thaw.Inference.Tests.KeepAlive;

public sealed class LocalIdleStatisticsStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("thaw-idle-").FullName;
    private readonly CapturingLogger<LocalIdleStatisticsStore> _logger = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private LocalIdleStatisticsStore NewStore() => new(_directory, _logger);

    [Fact]
    public async Task Merge_SurvivesARestart()
    {
        await NewStore().MergeAsync("m1", Histograms.Of((30, 4), (600, 1)));
        IdleTimeHistogram merged = await NewStore().MergeAsync("m1", Histograms.Of((30, 2)));

        IdleTimeHistogram? loaded = await NewStore().LoadAsync("m1");

        Assert.Equal((6L, 1L), (merged[30], merged.OutOfRange));
        Assert.Equal((6L, 1L), (loaded![30], loaded.OutOfRange));
        Assert.Null(await NewStore().LoadAsync("m2"));
        Assert.Equal(["m1.json"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ConcurrentMerges_KeepEveryCount()
    {
        LocalIdleStatisticsStore store = NewStore();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
        {
            for (int i = 0; i < 5; i++)
            {
                await store.MergeAsync("m1", Histograms.Of((writer, 3)));
            }
        })));

        IdleTimeHistogram? total = await NewStore().LoadAsync("m1");
        Assert.Equal(8 * 5 * 3, total!.Total);
        Assert.All(Enumerable.Range(0, 8), writer => Assert.Equal(15, total[writer]));
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("{\"version\":1,\"binWidthSeconds\":60,\"bins\":[-5],\"outOfRange\":0}")]
    public async Task CorruptFile_IsIgnoredWithAWarningAndReplaced(string content)
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "m1.json"), content);

        IdleTimeHistogram? loaded = await NewStore().LoadAsync("m1");
        IdleTimeHistogram merged = await NewStore().MergeAsync("m1", Histograms.Of((7, 2)));

        Assert.Null(loaded);
        Assert.Equal(2, merged.Total);
        Assert.Equal(2, (await NewStore().LoadAsync("m1"))!.Total);
        (LogLevel level, string message) = _logger.Entries.First();
        Assert.Equal(LogLevel.Warning, level);
        Assert.Contains("Model m1: idle-time statistics at", message, StringComparison.Ordinal);
        Assert.Contains("starting from an empty histogram", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoredHistogramOfAnotherShape_IsReplacedWithAWarning()
    {
        await NewStore().MergeAsync("m1", new IdleTimeHistogram(TimeSpan.FromMinutes(5), 12));

        IdleTimeHistogram merged = await NewStore().MergeAsync("m1", Histograms.Of((3, 1)));

        Assert.Equal(240, (await NewStore().LoadAsync("m1"))!.BinCount);
        Assert.Equal(1, merged.Total);
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("12 bins of 00:05:00", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ModelIdWithPathCharacters_StaysInTheDirectory()
    {
        await NewStore().MergeAsync("../escape/m", Histograms.Of((1, 1)));

        Assert.Single(Directory.GetFiles(_directory));
        Assert.Equal(1, (await NewStore().LoadAsync("../escape/m"))!.Total);
    }
}
