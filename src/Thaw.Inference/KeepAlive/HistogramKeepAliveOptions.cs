using System.ComponentModel.DataAnnotations;
using Thaw.Inference.Settings;

namespace Thaw.Inference.KeepAlive;

/// <summary>
/// The <c>histogram</c> policy: the hybrid histogram policy of Shahrad et al., "Serverless in the Wild" (USENIX ATC
/// 2020). Defaults are the paper's, except the fallback window (see <see cref="FallbackWindow"/>).
/// </summary>
public sealed class HistogramKeepAliveOptions : NestedOptions, IValidatableObject
{
    /// <summary>Width of one histogram bin.</summary>
    [TimeSpanRange("00:00:01", "04:00:00")]
    public TimeSpan BinWidth { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Idle times up to this are binned; longer ones are only counted (out of range).</summary>
    [TimeSpanRange("00:01:00", "69.10:40:00")]
    public TimeSpan Range { get; set; } = TimeSpan.FromHours(4);

    /// <summary>The percentile of idle times (0..100, exclusive) at which the model should be ready again.</summary>
    [Range(0d, 100d, MinimumIsExclusive = true, MaximumIsExclusive = true)]
    public double PrewarmPercentile { get; set; } = 5;

    /// <summary>The percentile of idle times (0..100, exclusive) up to which the model stays loaded.</summary>
    [Range(0d, 100d, MinimumIsExclusive = true, MaximumIsExclusive = true)]
    public double KeepAlivePercentile { get; set; } = 99;

    /// <summary>Safety margin: pre-warm this fraction earlier, keep alive this fraction longer.</summary>
    [Range(0d, 1d, MaximumIsExclusive = true)]
    public double Margin { get; set; } = 0.10;

    /// <summary>Fewer idle times than this: too little to learn from, use <see cref="FallbackWindow"/>.</summary>
    [Range(1, int.MaxValue)]
    public int MinimumSamples { get; set; } = 10;

    /// <summary>
    /// The bin counts' coefficient of variation below which the histogram is not representative (idle times spread
    /// evenly, nothing to predict), so <see cref="FallbackWindow"/> is used. The paper's threshold is 2.
    /// </summary>
    [Range(0d, double.MaxValue)]
    public double MinimumCoefficientOfVariation { get; set; } = 2;

    /// <summary>A larger fraction of idle times beyond <see cref="Range"/>: the histogram cannot tell, use <see cref="FallbackWindow"/>.</summary>
    [Range(0d, 1d)]
    public double MaximumOutOfRangeFraction { get; set; } = 0.5;

    /// <summary>
    /// The fixed window used while the histogram cannot predict. The paper keeps the whole range (4 h) alive then;
    /// Thaw uses the fixed policy's default, so that a model the histogram cannot learn costs what it does today.
    /// </summary>
    [TimeSpanRange("00:00:00", "365.00:00:00")]
    public TimeSpan FallbackWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The rules across settings (ranges of single settings are attributes).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Range < BinWidth)
        {
            yield return new ValidationResult($"Range ({Range}) must be at least one bin ({BinWidth}).", [nameof(Range), nameof(BinWidth)]);
        }
        else if (BinWidth > TimeSpan.Zero && Range / BinWidth > 100_000)
        {
            yield return new ValidationResult($"Range / BinWidth must be at most 100000 bins, got {Range} / {BinWidth}.", [nameof(Range), nameof(BinWidth)]);
        }

        if (PrewarmPercentile >= KeepAlivePercentile)
        {
            yield return new ValidationResult($"PrewarmPercentile ({PrewarmPercentile}) must be lower than KeepAlivePercentile ({KeepAlivePercentile}).",
                [nameof(PrewarmPercentile), nameof(KeepAlivePercentile)]);
        }
    }
}
