using System.Globalization;
using Thaw.Inference.Settings;

namespace Thaw.Inference.KeepAlive;

/// <summary>
/// The hybrid histogram policy of Shahrad et al., "Serverless in the Wild" (USENIX ATC 2020): when a model's idle
/// times are predictable, unload it after a request and have it ready again just before the low percentile of its
/// idle times (minus a margin), then keep it loaded until the high percentile (plus a margin). With too few samples,
/// too many idle times beyond the histogram's range, or idle times spread too evenly to predict (low coefficient of
/// variation of the bin counts), fall back to a fixed window. The paper hands the out-of-range case to a time-series
/// forecast (ARIMA); Thaw falls back to the fixed window instead.
/// </summary>
internal sealed class HistogramKeepAlivePolicy : IKeepAlivePolicy
{
    public const string PolicyName = "histogram";

    public HistogramKeepAlivePolicy(HistogramKeepAliveOptions options)
    {
        OptionsValidation.ThrowIfInvalid(options, KeepAliveOptions.SectionName + ":Histogram");
        Options = options;
    }

    public string Name => PolicyName;

    public HistogramKeepAliveOptions Options { get; }

    public KeepAliveDecision Decide(IdleTimeHistogram idleTimes)
    {
        if (idleTimes.Total < Options.MinimumSamples)
        {
            return Fallback($"{idleTimes.Total} samples, fewer than {Options.MinimumSamples}");
        }

        double outOfRange = (double)idleTimes.OutOfRange / idleTimes.Total;
        if (outOfRange > Options.MaximumOutOfRangeFraction || idleTimes.InRange == 0)
        {
            return Fallback(string.Create(CultureInfo.InvariantCulture, $"{outOfRange:P0} of idle times beyond {idleTimes.Range}"));
        }

        double variation = idleTimes.BinCountCoefficientOfVariation();
        if (variation < Options.MinimumCoefficientOfVariation)
        {
            return Fallback(string.Create(CultureInfo.InvariantCulture,
                $"idle times too spread to predict (bin-count CV {variation:0.00} < {Options.MinimumCoefficientOfVariation})"));
        }

        // The head is the low percentile's bin's lower edge and the tail the high percentile's bin's upper edge: the
        // conservative ends, as in the paper.
        TimeSpan head = idleTimes.BinWidth * idleTimes.PercentileBin(Options.PrewarmPercentile);
        TimeSpan tail = idleTimes.BinWidth * (idleTimes.PercentileBin(Options.KeepAlivePercentile) + 1);
        TimeSpan prewarm = head * (1 - Options.Margin);
        TimeSpan keepAlive = (tail * (1 + Options.Margin)) - prewarm;
        return new KeepAliveDecision(prewarm, keepAlive, string.Create(CultureInfo.InvariantCulture,
            $"histogram of {idleTimes.Total}: p{Options.PrewarmPercentile} {head}, p{Options.KeepAlivePercentile} {tail}"));
    }

    private KeepAliveDecision Fallback(string why) => new(TimeSpan.Zero, Options.FallbackWindow, $"fallback: {why}");
}
