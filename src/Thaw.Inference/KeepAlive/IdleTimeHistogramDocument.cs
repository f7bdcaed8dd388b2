namespace Thaw.Inference.KeepAlive;

/// <summary>The persisted form of an <see cref="IdleTimeHistogram"/>.</summary>
internal sealed record IdleTimeHistogramDocument(int Version, double BinWidthSeconds, long[] Bins, long OutOfRange, DateTimeOffset? LastArrival = null)
{
    public const int CurrentVersion = 1;
}
