using System.Globalization;

namespace Thaw.Cli.Commands;

/// <summary>Durations on the command line: <c>500ms</c>, <c>1.3s</c>, <c>10m</c>, <c>4h</c>, <c>7d</c>, or <c>hh:mm:ss</c>.</summary>
internal static class Durations
{
    private static readonly (string Suffix, double Seconds)[] Units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)];

    /// <summary>Parses a duration; a leading minus gives a negative one, for the caller to reject with its own words.</summary>
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        text = text.Trim();
        foreach ((string suffix, double seconds) in Units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value)
                && Math.Abs(value * seconds) < TimeSpan.MaxValue.TotalSeconds / 2)
            {
                duration = TimeSpan.FromSeconds(value * seconds);
                return true;
            }
        }

        return text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration);
    }

    /// <summary>The shortest of the forms above that is exact, e.g. <c>90s</c>, <c>10m</c>, <c>1.5h</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        foreach ((string suffix, double seconds) in Units.Reverse())
        {
            double value = duration.TotalSeconds / seconds;
            if (Math.Abs(value) >= 1 && Math.Abs((value * 10) - Math.Round(value * 10)) < 1e-9)
            {
                return value.ToString("0.#", CultureInfo.InvariantCulture) + suffix;
            }
        }

        return duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
    }
}
