namespace Thaw.Cli.Tests;

public sealed class SimulateCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("thaw-simulate-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Help_ExplainsTheOptionsAndTheDefaultColdStart()
    {
        (int exitCode, string stdout, _) = await Thaw.RunAsync(["simulate", "--help"]);

        Assert.Equal(0, exitCode);
        Assert.Contains("--policies", stdout, StringComparison.Ordinal);
        Assert.Contains("--synthetic", stdout, StringComparison.Ordinal);
        Assert.Contains("1.3s", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Synthetic_PrintsATablePerTraceAndWritesCsvAndChart()
    {
        string csv = Path.Combine(_directory, "out.csv"), svg = Path.Combine(_directory, "out.svg");

        (int exitCode, string stdout, string stderr) = await Thaw.RunAsync(
            ["simulate", "--synthetic", "periodic,diurnal", "--duration", "2d", "--policies", "fixed:1m,fixed:10m,histogram", "--csv", csv, "--chart", svg]);

        Assert.True(exitCode == 0, stderr);
        Assert.Matches(@"(?m)^trace periodic: \d+ requests; cold start 1\.3s, \$1\.20/h$", stdout);
        Assert.Matches(@"(?m)^trace diurnal: ", stdout);
        Assert.Matches(@"(?m)^fixed:10m\s+\d+\s+\d+\.\d %\s+\d\.\d\ds\s+\d\.\d\ds\s+\d+\.\d\s+\d+\.\d\d\s+\$\d+\.\d\d$", stdout);
        Assert.Matches(@"(?m)^histogram\s+\d+", stdout);
        string[] rows = await File.ReadAllLinesAsync(csv);
        Assert.Equal(1 + (2 * 3), rows.Length);
        Assert.StartsWith("trace,policy,requests,cold_starts,", rows[0], StringComparison.Ordinal);
        string chart = await File.ReadAllTextAsync(svg);
        Assert.StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"", chart, StringComparison.Ordinal);
        Assert.Contains("cold starts</text>", chart, StringComparison.Ordinal);
        Assert.Contains("idle instance-hours", chart, StringComparison.Ordinal);
        Assert.Equal(2, chart.Split("<polyline").Length - 2);
    }

    [Fact]
    public async Task TraceFile_IsReplayed()
    {
        string trace = Path.Combine(_directory, "trace.csv");
        await File.WriteAllTextAsync(trace, "timestamp,model\n0,a\n60,a\n700,a\n");

        (int exitCode, string stdout, string stderr) = await Thaw.RunAsync(["simulate", "--trace", trace, "--policies", "fixed:10m", "--cold-start", "1s"]);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("trace trace.csv: 3 requests; cold start 1s", stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^fixed:10m\s+2\s+66\.7 %\s+1\.00s\s+1\.00s\s+0\.2\s", stdout);
    }

    [Theory]
    [InlineData("--policies", "fixed:10m,lru", "--policies 'lru': unknown policy 'lru'; expected fixed[:WINDOW] or histogram[:LOW-HIGH[:RANGE]].")]
    [InlineData("--policies", "fixed:-5m", "--policies 'fixed:-5m': Thaw:KeepAlive:Fixed:Window is -00:05:00; allowed: 00:00:00 to 365.00:00:00.")]
    [InlineData("--policies", "fixed:soon", "--policies 'fixed:soon': the window 'soon' is not a duration such as 90s, 10m, 4h.")]
    [InlineData("--policies", "histogram:5-100", "--policies 'histogram:5-100': Thaw:KeepAlive:Histogram:KeepAlivePercentile is 100; allowed: more than 0 and less than 100.")]
    [InlineData("--policies", "histogram:99-5", "--policies 'histogram:99-5': Thaw:KeepAlive:Histogram:PrewarmPercentile, Thaw:KeepAlive:Histogram:KeepAlivePercentile: PrewarmPercentile (99) must be lower than KeepAlivePercentile (5).")]
    [InlineData("--synthetic", "weekly", "--synthetic 'weekly' is not one of rare, periodic, diurnal, bursty.")]
    [InlineData("--duration", "-1d", "--duration '-1d' is not a positive duration of at most a year, such as 7d.")]
    [InlineData("--cold-start", "-2s", "The cold-start time must not be negative, got -00:00:02.")]
    [InlineData("--gpu-price", "free", "--gpu-price 'free' is not a number of dollars per hour such as 1.20.")]
    public async Task BadInput_ExitsWith2AndNamesTheValue(string option, string value, string message)
    {
        (int exitCode, string stdout, string stderr) = await Thaw.RunAsync(["simulate", option, value]);

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Equal($"thaw simulate: {message}", stderr.Trim());
    }

    [Fact]
    public async Task UnsortedTrace_ExitsWith2AndNamesTheLine()
    {
        string trace = Path.Combine(_directory, "unsorted.csv");
        await File.WriteAllTextAsync(trace, "0,a\n60,a\n30,a\n");

        (int exitCode, _, string stderr) = await Thaw.RunAsync(["simulate", "--trace", trace]);

        Assert.Equal(2, exitCode);
        Assert.Equal("thaw simulate: line 3: '30' is earlier than line 2; the trace must be sorted by time.", stderr.Trim());
    }
}
