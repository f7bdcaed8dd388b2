using Thaw.Cli.Simulation;

namespace Thaw.Cli.Tests.Simulation;

public sealed class TraceReaderTests
{
    private static ArrivalTrace Read(string csv) => TraceReader.Read(new StringReader(csv), "test.csv");

    [Fact]
    public void Read_IsoWithHeader_GivesOffsetsFromTheFirstArrival()
    {
        ArrivalTrace trace = Read("timestamp,model\n2024-05-01T12:00:00Z,a\n\n# a comment\n2024-05-01T12:10:30Z, b\n2024-05-01T14:00:00+01:00,a\n");

        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(630), TimeSpan.FromHours(1)], trace.Arrivals.Select(a => a.At));
        Assert.Equal(["a", "b"], trace.Models);
        Assert.Equal((TimeSpan.FromHours(1), "test.csv"), (trace.Duration, trace.Name));
    }

    [Fact]
    public void Read_SecondsWithoutHeader()
    {
        ArrivalTrace trace = Read("100,m\n100,m\n160.5,m");

        Assert.Equal([TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(60.5)], trace.Arrivals.Select(a => a.At));
    }

    [Theory]
    [InlineData("0,m\n60,m\n30,m\n", "line 3: '30' is earlier than line 2; the trace must be sorted by time.")]
    [InlineData("timestamp,model\n0,m\nsoon,m\n", "line 3: 'soon' is not a timestamp (ISO-8601 such as 2024-05-01T12:00:00Z, or non-negative seconds such as 3600.5).")]
    [InlineData("0,m\n-5,m\n", "line 2: '-5' is not a timestamp (ISO-8601 such as 2024-05-01T12:00:00Z, or non-negative seconds such as 3600.5).")]
    [InlineData("0,m\n\n5\n", "line 3: expected 'timestamp,model', got 1 fields in '5'.")]
    [InlineData("0,m\n5,m,extra\n", "line 2: expected 'timestamp,model', got 3 fields in '5,m,extra'.")]
    [InlineData("0,m\n5, \n", "line 2: the model is empty.")]
    [InlineData("0,m\n2024-05-01T12:00:00Z,m\n", "line 2: '2024-05-01T12:00:00Z' is an ISO-8601 timestamp, but earlier lines use seconds.")]
    [InlineData("2024-05-01T12:00:00Z,m\n5,m\n", "line 2: '5' is in seconds, but earlier lines use ISO-8601 timestamps.")]
    [InlineData("2024-13-01T12:00:00Z,m\n", "line 1: '2024-13-01T12:00:00Z' is not a timestamp (ISO-8601 such as 2024-05-01T12:00:00Z, or non-negative seconds such as 3600.5).")]
    [InlineData("timestamp,model\n", "test.csv: the trace has no arrivals.")]
    public void Read_BadLines_NameTheLineAndTheValue(string csv, string message) =>
        Assert.Equal(message, Assert.Throws<TraceFormatException>(() => Read(csv)).Message);
}
