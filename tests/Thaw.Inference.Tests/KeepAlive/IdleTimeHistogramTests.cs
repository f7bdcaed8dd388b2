using Thaw.Inference.KeepAlive;

namespace Thaw.Inference.Tests.KeepAlive;

public sealed class IdleTimeHistogramTests
{
    [Fact]
    public void Add_BinsByWidthAndCountsBeyondTheRangeAsOutOfRange()
    {
        IdleTimeHistogram histogram = Histograms.Of((0.5, 1), (1, 2), (239.9, 3), (240, 4), (10_000, 5));
        histogram.Add(TimeSpan.FromSeconds(-3));

        Assert.Equal((240, TimeSpan.FromHours(4)), (histogram.BinCount, histogram.Range));
        Assert.Equal(new long[] { 2, 2, 3 }, new[] { histogram[0], histogram[1], histogram[239] });
        Assert.Equal((7L, 9L, 16L), (histogram.InRange, histogram.OutOfRange, histogram.Total));
    }

    [Fact]
    public void MergeFrom_SameShape_AddsEveryCountExactly()
    {
        IdleTimeHistogram a = Histograms.Of((3, 5), (30, 7), (300, 1));
        IdleTimeHistogram b = Histograms.Of((3, 2), (45, 1), (500, 4));

        a.MergeFrom(b);

        Assert.Equal((7L, 7L, 1L), (a[3], a[30], a[45]));
        Assert.Equal((15L, 5L), (a.InRange, a.OutOfRange));
        Assert.Equal(3L, b.InRange);
    }

    [Fact]
    public void MergeFrom_OtherShape_Throws()
    {
        var hours = new IdleTimeHistogram(TimeSpan.FromMinutes(1), 480);

        ArgumentException e = Assert.Throws<ArgumentException>(() => Histograms.Of().MergeFrom(hours));
        Assert.Contains("480 bins", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_RoundTrips()
    {
        IdleTimeHistogram original = Histograms.Of((0, 3), (17.5, 2), (239, 1), (1000, 6));

        IdleTimeHistogram copy = IdleTimeHistogram.FromJson(original.ToJson());

        Assert.True(copy.HasShapeOf(original));
        Assert.Equal(Enumerable.Range(0, 240).Select(i => original[i]), Enumerable.Range(0, 240).Select(i => copy[i]));
        Assert.Equal((original.InRange, original.OutOfRange), (copy.InRange, copy.OutOfRange));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"version\":2,\"binWidthSeconds\":60,\"bins\":[1],\"outOfRange\":0}")]
    [InlineData("{\"version\":1,\"binWidthSeconds\":0,\"bins\":[1],\"outOfRange\":0}")]
    [InlineData("{\"version\":1,\"binWidthSeconds\":60,\"bins\":[],\"outOfRange\":0}")]
    [InlineData("{\"version\":1,\"binWidthSeconds\":60,\"bins\":[1,-2],\"outOfRange\":0}")]
    [InlineData("{\"version\":1,\"binWidthSeconds\":60,\"bins\":[1],\"outOfRange\":-1}")]
    [InlineData("{\"version\":1,\"binWidthSeconds\":60,\"bins\":[1],\"outOfRange\":0,\"extra\":1}")]
    public void FromJson_Corrupt_ThrowsFormatException(string json) =>
        Assert.Throws<FormatException>(() => IdleTimeHistogram.FromJson(json));

    [Fact]
    public void PercentileBin_IsTheNearestRankOverInRangeSamples()
    {
        IdleTimeHistogram histogram = Histograms.Of((2, 5), (10, 90), (20, 5), (999, 50));

        Assert.Equal((2, 2, 10, 10, 20), (histogram.PercentileBin(1), histogram.PercentileBin(5), histogram.PercentileBin(6),
            histogram.PercentileBin(95), histogram.PercentileBin(96)));
        Assert.Equal(-1, Histograms.Of((999, 3)).PercentileBin(50));
    }

    [Fact]
    public void BinCountCoefficientOfVariation_ConcentratedIsHighEvenIsZero()
    {
        IdleTimeHistogram even = Histograms.Of([.. Enumerable.Range(0, 240).Select(m => ((double)m, 1L))]);

        Assert.Equal(Math.Sqrt(239), Histograms.Of((30, 100)).BinCountCoefficientOfVariation(), 9);
        Assert.Equal(0, even.BinCountCoefficientOfVariation(), 9);
        Assert.Equal(0, Histograms.Of().BinCountCoefficientOfVariation());
    }
}
