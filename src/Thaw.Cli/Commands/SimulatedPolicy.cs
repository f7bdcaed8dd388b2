using System.Globalization;
using Thaw.Inference.KeepAlive;

namespace Thaw.Cli.Commands;

/// <summary>
/// One entry of <c>thaw simulate --policies</c>: <c>fixed[:WINDOW]</c> or <c>histogram[:LOW-HIGH[:RANGE]]</c>
/// (percentiles of idle times, the histogram's range), e.g. <c>fixed:10m</c>, <c>histogram:1-99:8h</c>, with the
/// shape of the idle-time histograms it reads.
/// </summary>
internal sealed record SimulatedPolicy(string Label, IKeepAlivePolicy Policy, HistogramKeepAliveOptions HistogramShape)
{
    public const string Syntax = "fixed[:WINDOW] or histogram[:LOW-HIGH[:RANGE]]";

    /// <summary>A sweep of fixed windows (as platforms choose them) and a few histogram settings.</summary>
    public const string Defaults = "fixed:1m,fixed:5m,fixed:10m,fixed:30m,fixed:1h,fixed:4h,histogram,histogram:1-99,histogram:10-95";

    public bool IsFixed => Policy.Name == "fixed";

    /// <summary>Parses a comma-separated list.</summary>
    /// <exception cref="ArgumentException">An unknown name or an impossible setting; the message quotes the entry.</exception>
    public static IReadOnlyList<SimulatedPolicy> ParseList(string list) =>
        [.. list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Parse)];

    public static SimulatedPolicy Parse(string entry)
    {
        string[] parts = entry.Split(':');
        try
        {
            return parts[0].ToLowerInvariant() switch
            {
                "fixed" when parts.Length <= 2 => Fixed(parts.Length == 2 ? Duration(parts[1], "window") : new FixedKeepAliveOptions().Window),
                "histogram" when parts.Length <= 3 => Histogram(parts),
                "fixed" or "histogram" => throw new ArgumentException($"expected {Syntax}."),
                _ => throw new ArgumentException($"unknown policy '{parts[0]}'; expected {Syntax}."),
            };
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--policies '{entry}': {e.Message}", e);
        }
    }

    private static SimulatedPolicy Fixed(TimeSpan window) =>
        new($"fixed:{Durations.Format(window)}", KeepAlivePolicies.Fixed(new FixedKeepAliveOptions { Window = window }), new HistogramKeepAliveOptions());

    private static SimulatedPolicy Histogram(string[] parts)
    {
        var options = new HistogramKeepAliveOptions();
        if (parts.Length >= 2)
        {
            string[] percentiles = parts[1].Split('-');
            if (percentiles.Length != 2 || !TryPercentile(percentiles[0], out double low) || !TryPercentile(percentiles[1], out double high))
            {
                throw new ArgumentException($"'{parts[1]}' is not LOW-HIGH percentiles such as 5-99.");
            }

            (options.PrewarmPercentile, options.KeepAlivePercentile) = (low, high);
        }

        if (parts.Length == 3)
        {
            options.Range = Duration(parts[2], "range");
        }

        return new SimulatedPolicy(string.Join(':', parts).ToLowerInvariant(), KeepAlivePolicies.Histogram(options), options);
    }

    private static bool TryPercentile(string text, out double value) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);

    private static TimeSpan Duration(string text, string what) =>
        Durations.TryParse(text, out TimeSpan value) ? value : throw new ArgumentException($"the {what} '{text}' is not a duration such as 90s, 10m, 4h.");
}
