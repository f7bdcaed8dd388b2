using System.Text.Json;

namespace Thaw.Inference.KeepAlive;

/// <summary>
/// A model's idle times (from the end of one request to the arrival of the next) in equal bins over a range
/// (one-minute bins over four hours by default, as in "Serverless in the Wild"); longer idle times are only
/// counted, as out of range. Counts are exact, so histograms from several instances merge by adding them.
/// Not thread-safe: one owner adds to it.
/// </summary>
public sealed class IdleTimeHistogram
{
    private readonly long[] _bins;

    /// <summary>An empty histogram of <paramref name="binCount"/> bins of <paramref name="binWidth"/>.</summary>
    public IdleTimeHistogram(TimeSpan binWidth, int binCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(binWidth, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(binCount, 1);
        BinWidth = binWidth;
        _bins = new long[binCount];
    }

    /// <summary>An empty histogram with the shape the options give (their bin width over their range).</summary>
    public static IdleTimeHistogram Create(HistogramKeepAliveOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new IdleTimeHistogram(options.BinWidth, (int)Math.Ceiling(options.Range / options.BinWidth));
    }

    public TimeSpan BinWidth { get; }

    public int BinCount => _bins.Length;

    /// <summary>Idle times at or beyond this are out of range.</summary>
    public TimeSpan Range => BinWidth * _bins.Length;

    /// <summary>Samples in bin <paramref name="bin"/>: idle times in [bin x width, (bin + 1) x width).</summary>
    public long this[int bin] => _bins[bin];

    /// <summary>Samples at or beyond <see cref="Range"/>.</summary>
    public long OutOfRange { get; private set; }

    public long InRange { get; private set; }

    public long Total => InRange + OutOfRange;

    /// <summary>
    /// The latest request seen by whoever added to this histogram (merges keep the latest): with the histogram, what a
    /// newly started instance needs to tell whether a pre-warm is due.
    /// </summary>
    public DateTimeOffset? LastArrival { get; set; }

    /// <summary>True when <paramref name="other"/> has the same bins, so that the two can be merged.</summary>
    public bool HasShapeOf(IdleTimeHistogram other) => other.BinWidth == BinWidth && other.BinCount == BinCount;

    /// <summary>Counts one idle time; a negative one (concurrent requests) counts as zero.</summary>
    public void Add(TimeSpan idleTime) => Add(idleTime, 1);

    /// <summary>Counts <paramref name="count"/> samples of one idle time.</summary>
    public void Add(TimeSpan idleTime, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        long bin = Math.Max(0, idleTime.Ticks / BinWidth.Ticks);
        if (bin >= _bins.Length)
        {
            OutOfRange += count;
            return;
        }

        _bins[bin] += count;
        InRange += count;
    }

    /// <summary>Adds every count of <paramref name="other"/> (same shape) to this histogram.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void MergeFrom(IdleTimeHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!HasShapeOf(other))
        {
            throw new ArgumentException(
                $"Cannot merge a histogram of {other.BinCount} bins of {other.BinWidth} into one of {BinCount} bins of {BinWidth}.", nameof(other));
        }

        for (int i = 0; i < _bins.Length; i++)
        {
            _bins[i] += other._bins[i];
        }

        InRange += other.InRange;
        OutOfRange += other.OutOfRange;
        if (other.LastArrival > LastArrival || LastArrival is null)
        {
            LastArrival = other.LastArrival ?? LastArrival;
        }
    }

    /// <summary>A copy with the same counts.</summary>
    public IdleTimeHistogram Clone()
    {
        var copy = new IdleTimeHistogram(BinWidth, BinCount);
        copy.MergeFrom(this);
        return copy;
    }

    /// <summary>
    /// The bin that holds the <paramref name="percent"/>-th percentile (nearest rank) of the in-range samples,
    /// or -1 when there are none.
    /// </summary>
    public int PercentileBin(double percent)
    {
        if (InRange == 0)
        {
            return -1;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(percent / 100 * InRange));
        long seen = 0;
        for (int i = 0; i < _bins.Length; i++)
        {
            seen += _bins[i];
            if (seen >= rank)
            {
                return i;
            }
        }

        return _bins.Length - 1;
    }

    /// <summary>
    /// The coefficient of variation (standard deviation / mean) of the bin counts: high when the idle times
    /// concentrate in a few bins (predictable), near zero when they spread evenly; 0 for an empty histogram.
    /// </summary>
    public double BinCountCoefficientOfVariation()
    {
        double mean = (double)InRange / _bins.Length;
        if (mean == 0)
        {
            return 0;
        }

        double variance = _bins.Sum(c => (c - mean) * (c - mean)) / _bins.Length;
        return Math.Sqrt(variance) / mean;
    }

    /// <summary>The histogram as JSON (the format the statistics stores persist).</summary>
    public string ToJson() =>
        JsonSerializer.Serialize(new IdleTimeHistogramDocument(IdleTimeHistogramDocument.CurrentVersion, BinWidth.TotalSeconds, [.. _bins], OutOfRange, LastArrival),
            KeepAliveJsonContext.Default.IdleTimeHistogramDocument);

    /// <summary>Reads <see cref="ToJson"/>'s format.</summary>
    /// <exception cref="FormatException">The text is not a histogram of a known version, or its counts are impossible.</exception>
    public static IdleTimeHistogram FromJson(string json)
    {
        IdleTimeHistogramDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, KeepAliveJsonContext.Default.IdleTimeHistogramDocument);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not an idle-time histogram: {e.Message}", e);
        }

        if (document is null || document.Version != IdleTimeHistogramDocument.CurrentVersion)
        {
            throw new FormatException($"not an idle-time histogram of version {IdleTimeHistogramDocument.CurrentVersion}.");
        }

        if (!(document.BinWidthSeconds > 0 && document.BinWidthSeconds <= TimeSpan.FromDays(1).TotalSeconds)
            || document.Bins is not { Length: > 0 and <= 1_000_000 } bins || bins.Any(c => c < 0) || document.OutOfRange < 0)
        {
            throw new FormatException("an idle-time histogram with an impossible bin width, bin count or negative counts.");
        }

        var histogram = new IdleTimeHistogram(TimeSpan.FromSeconds(document.BinWidthSeconds), bins.Length);
        for (int i = 0; i < bins.Length; i++)
        {
            histogram._bins[i] = bins[i];
            histogram.InRange += bins[i];
        }

        histogram.OutOfRange = document.OutOfRange;
        histogram.LastArrival = document.LastArrival;
        return histogram;
    }
}
