namespace Thaw.Cli.Commands;

internal static class Percentile
{
    /// <summary>The nearest-rank percentile <paramref name="p"/> (0..1) of ascending <paramref name="sorted"/>; NaN when empty.</summary>
    public static double NearestRank(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
