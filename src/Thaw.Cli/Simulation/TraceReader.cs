using System.Globalization;

namespace Thaw.Cli.Simulation;

/// <summary>
/// Reads an arrival trace: CSV lines <c>timestamp,model</c>, sorted by time, where a timestamp is ISO-8601
/// (<c>2024-05-01T12:00:00Z</c>) or seconds (<c>3600.5</c>), one kind per file. An optional header line
/// <c>timestamp,model</c>; blank lines and lines starting with <c>#</c> are skipped. Times become offsets from the
/// first arrival.
/// </summary>
internal static class TraceReader
{
    /// <exception cref="TraceFormatException">A malformed or out-of-order line, named by its number and value.</exception>
    public static ArrivalTrace Read(TextReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var arrivals = new List<Arrival>();
        bool? iso = null;
        DateTimeOffset origin = default;
        double originSeconds = 0;
        int previousLine = 0;
        int number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            string trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            string[] fields = trimmed.Split(',');
            if (fields.Length != 2)
            {
                throw new TraceFormatException($"line {number}: expected 'timestamp,model', got {fields.Length} fields in '{Shorten(trimmed)}'.");
            }

            string stamp = fields[0].Trim(), model = fields[1].Trim();
            if (previousLine == 0 && arrivals.Count == 0 && stamp.Equals("timestamp", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (model.Length == 0)
            {
                throw new TraceFormatException($"line {number}: the model is empty.");
            }

            TimeSpan at;
            if (TryParseSeconds(stamp, out double seconds))
            {
                if (iso == true)
                {
                    throw new TraceFormatException($"line {number}: '{Shorten(stamp)}' is in seconds, but earlier lines use ISO-8601 timestamps.");
                }

                (iso, originSeconds) = iso is null ? (false, seconds) : (iso, originSeconds);
                at = TimeSpan.FromSeconds(seconds - originSeconds);
            }
            else if (TryParseIso(stamp, out DateTimeOffset time))
            {
                if (iso == false)
                {
                    throw new TraceFormatException($"line {number}: '{Shorten(stamp)}' is an ISO-8601 timestamp, but earlier lines use seconds.");
                }

                (iso, origin) = iso is null ? (true, time) : (iso, origin);
                at = time - origin;
            }
            else
            {
                throw new TraceFormatException(
                    $"line {number}: '{Shorten(stamp)}' is not a timestamp (ISO-8601 such as 2024-05-01T12:00:00Z, or non-negative seconds such as 3600.5).");
            }

            if (arrivals.Count > 0 && at < arrivals[^1].At)
            {
                throw new TraceFormatException(
                    $"line {number}: '{Shorten(stamp)}' is earlier than line {previousLine}; the trace must be sorted by time.");
            }

            arrivals.Add(new Arrival(at, model));
            previousLine = number;
        }

        if (arrivals.Count == 0)
        {
            throw new TraceFormatException($"{name}: the trace has no arrivals.");
        }

        return new ArrivalTrace(name, arrivals, arrivals[^1].At);
    }

    private static bool TryParseSeconds(string text, out double seconds) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out seconds)
        && double.IsFinite(seconds) && seconds <= TimeSpan.MaxValue.TotalSeconds / 2;

    // DateTimeOffset.TryParse alone accepts "May 1" and culture-shaped dates; insist on ISO-8601's year-first form.
    private static bool TryParseIso(string text, out DateTimeOffset time)
    {
        time = default;
        return text.Length >= 10 && char.IsAsciiDigit(text[0]) && text[4] == '-' && text[7] == '-'
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
