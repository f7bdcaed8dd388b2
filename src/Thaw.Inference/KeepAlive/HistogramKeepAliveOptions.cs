namespace Thaw.Inference.KeepAlive;

/// <summary>
/// The <c>histogram</c> policy: the hybrid histogram policy of Shahrad et al., "Serverless in the Wild" (USENIX ATC
/// 2020). Defaults are the paper's, except the fallback window (see <see cref="FallbackWindow"/>).
/// </summary>
public sealed class HistogramKeepAliveOptions
{
    /// <summary>Width of one histogram bin.</summary>
    public TimeSpan BinWidth { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Idle times up to this are binned; longer ones are only counted (out of range).</summary>
    public TimeSpan Range { get; set; } = TimeSpan.FromHours(4);

    /// <summary>The percentile of idle times (0..100, exclusive) at which the model should be ready again.</summary>
    public double PrewarmPercentile { get; set; } = 5;

    /// <summary>The percentile of idle times (0..100, exclusive) up to which the model stays loaded.</summary>
    public double KeepAlivePercentile { get; set; } = 99;

    /// <summary>Safety margin: pre-warm this fraction earlier, keep alive this fraction longer.</summary>
    public double Margin { get; set; } = 0.10;

    /// <summary>Fewer idle times than this: too little to learn from, use <see cref="FallbackWindow"/>.</summary>
    public int MinimumSamples { get; set; } = 10;

    /// <summary>
    /// The bin counts' coefficient of variation below which the histogram is not representative (idle times spread
    /// evenly, nothing to predict), so <see cref="FallbackWindow"/> is used. The paper's threshold is 2.
    /// </summary>
    public double MinimumCoefficientOfVariation { get; set; } = 2;

    /// <summary>A larger fraction of idle times beyond <see cref="Range"/>: the histogram cannot tell, use <see cref="FallbackWindow"/>.</summary>
    public double MaximumOutOfRangeFraction { get; set; } = 0.5;

    /// <summary>
    /// The fixed window used while the histogram cannot predict. The paper keeps the whole range (4 h) alive then;
    /// Thaw uses the fixed policy's default, so that a model the histogram cannot learn costs what it does today.
    /// </summary>
    public TimeSpan FallbackWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <exception cref="ArgumentException">A setting is impossible; the message names it and its value.</exception>
    public void Validate()
    {
        Require(BinWidth > TimeSpan.Zero, $"BinWidth must be positive, got {BinWidth}.");
        Require(Range >= BinWidth, $"Range must be at least one bin ({BinWidth}), got {Range}.");
        Require(Range / BinWidth <= 100_000, $"Range / BinWidth must be at most 100000 bins, got {Range} / {BinWidth}.");
        Require(PrewarmPercentile is > 0 and < 100, $"PrewarmPercentile must be between 0 and 100 (exclusive), got {PrewarmPercentile}.");
        Require(KeepAlivePercentile is > 0 and < 100, $"KeepAlivePercentile must be between 0 and 100 (exclusive), got {KeepAlivePercentile}.");
        Require(PrewarmPercentile < KeepAlivePercentile,
            $"PrewarmPercentile ({PrewarmPercentile}) must be lower than KeepAlivePercentile ({KeepAlivePercentile}).");
        Require(Margin is >= 0 and < 1, $"Margin must be at least 0 and below 1, got {Margin}.");
        Require(MinimumSamples >= 1, $"MinimumSamples must be at least 1, got {MinimumSamples}.");
        Require(MinimumCoefficientOfVariation >= 0, $"MinimumCoefficientOfVariation must not be negative, got {MinimumCoefficientOfVariation}.");
        Require(MaximumOutOfRangeFraction is >= 0 and <= 1, $"MaximumOutOfRangeFraction must be between 0 and 1, got {MaximumOutOfRangeFraction}.");
        Require(FallbackWindow >= TimeSpan.Zero, $"FallbackWindow must not be negative, got {FallbackWindow}.");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
