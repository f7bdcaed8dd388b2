using Thaw.Inference.KeepAlive;

namespace Thaw.Inference.Tests.KeepAlive;

/// <summary>Hand-made histograms of the default shape (one-minute bins over four hours).</summary>
internal static class Histograms
{
    public static IdleTimeHistogram Of(params (double Minutes, long Count)[] samples)
    {
        IdleTimeHistogram histogram = IdleTimeHistogram.Create(new HistogramKeepAliveOptions());
        foreach ((double minutes, long count) in samples)
        {
            histogram.Add(TimeSpan.FromMinutes(minutes), count);
        }

        return histogram;
    }
}
