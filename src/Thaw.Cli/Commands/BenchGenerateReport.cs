using System.Globalization;
using Thaw.Inference.Onnx.Generation.Synthetic;

namespace Thaw.Cli.Commands;

/// <summary>What <c>thaw bench generate</c> prints: the model and probe, a row per stream count, the trace, then the targets met or missed.</summary>
internal sealed class BenchGenerateReport(TextWriter stdout, SyntheticDecoderFile model, string provider, double bandwidth, BenchGenerateCommand.Settings settings)
{
    private const string RowFormat = "{0,7}  {1,9}  {2,6}  {3,9}  {4,9}  {5,15}  {6,9}  {7,8}  {8,14}";
    private readonly List<string> _targets = [];

    private double BatchOneLimit => bandwidth / model.BytesReadPerStep;

    public async Task WriteHeaderAsync()
    {
        await stdout.WriteLineAsync(Invariant(
            $"model             synthetic {model.Layout} decoder, {model.Parameters / 1e6:0.0} M parameters (random weights), {model.BytesReadPerStep / 1e6:0} MB read per decode step; {provider}, {Environment.ProcessorCount} cores"));
        await stdout.WriteLineAsync(Invariant(
            $"memory bandwidth  {bandwidth / 1e9:0.0} GB/s (every core summing 512 MiB, best of 5): batch-1 decoding can reach {BatchOneLimit:0.0} tokens/s at most"));
        await stdout.WriteLineAsync(Invariant($"each stream       {settings.PromptTokens} prompt tokens, {settings.Tokens} generated (greedy); TTFT = time to first token"));
        await stdout.WriteLineAsync("raw step          one decode step of that many sequences on the session itself, no scheduler: the floor of inter-token latency");
        await stdout.WriteLineAsync();
        await stdout.WriteLineAsync(string.Format(CultureInfo.InvariantCulture, RowFormat, "streams", "tokens/s", "vs 1", "TTFT p50", "TTFT p99", "inter-token p50", "p99", "p50 vs 1", "raw step p50"));
    }

    public async Task WriteStreamsAsync(int streams, StreamsResult result, StreamsResult reference, double rawStepMs)
    {
        double gain = result.TokensPerSecond / reference.TokensPerSecond;
        double latency = P(result.InterToken, 0.5) / P(reference.InterToken, 0.5);
        await stdout.WriteLineAsync(string.Format(CultureInfo.InvariantCulture, RowFormat,
            streams, result.TokensPerSecond.ToString("0.0", CultureInfo.InvariantCulture), Ratio(gain),
            Ms(P(result.TimesToFirstToken, 0.5)), Ms(P(result.TimesToFirstToken, 0.99)),
            Ms(P(result.InterToken, 0.5)), Ms(P(result.InterToken, 0.99)), Ratio(latency), Ms(rawStepMs)));
        if (streams == 1)
        {
            double share = reference.TokensPerSecond / BatchOneLimit;
            _targets.Add(Target($"batch-1 decoding at {share * 100:0}% of the bandwidth limit", "at least 50%", share >= 0.5));
        }

        if (streams == 16)
        {
            _targets.Add(Target($"16 streams: {Ratio(gain)} the tokens/s of one", "at least 4x", gain >= 4));
            _targets.Add(Target($"16 streams: inter-token p50 {Ratio(latency)} one stream's", "at most 2x", latency <= 2));
        }
    }

    public async Task WriteTraceAsync(TimeSpan interval, StreamsResult continuous, StreamsResult staticBatching)
    {
        double gain = staticBatching.MeanTimeToFirstToken / continuous.MeanTimeToFirstToken;
        await stdout.WriteLineAsync();
        await stdout.WriteLineAsync(Invariant(
            $"{continuous.Streams.Count} requests arriving every {interval.TotalMilliseconds:0} ms: mean TTFT {Ms(continuous.MeanTimeToFirstToken)} continuous, {Ms(staticBatching.MeanTimeToFirstToken)} static (new requests wait for the batch to finish); tokens/s {continuous.TokensPerSecond:0.0} and {staticBatching.TokensPerSecond:0.0}"));
        _targets.Add(Target($"staggered arrivals: mean TTFT {Ratio(gain)} better with continuous batching", "at least 3x", gain >= 3));
    }

    public async Task WriteTargetsAsync()
    {
        if (_targets.Count == 0)
        {
            return;
        }

        await stdout.WriteLineAsync();
        foreach (string target in _targets)
        {
            await stdout.WriteLineAsync(target);
        }
    }

    private static string Target(string measured, string target, bool met) => $"{(met ? "met   " : "MISSED")}  {measured} (target {target})";

    private static double P(IReadOnlyList<double> sorted, double p) => Percentile.NearestRank(sorted, p);

    private static string Ms(double milliseconds) => double.IsNaN(milliseconds) ? "-" : milliseconds.ToString(milliseconds < 10 ? "0.00" : "0", CultureInfo.InvariantCulture) + " ms";

    private static string Ratio(double ratio) => double.IsNaN(ratio) ? "-" : ratio.ToString("0.00", CultureInfo.InvariantCulture) + "x";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
