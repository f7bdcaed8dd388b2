namespace Thaw.Inference.Generation.Stopping;

/// <summary>
/// Finds OpenAI's <c>stop</c> sequences in generated text as it streams, across token boundaries. Text that could be
/// the start of a stop sequence is held back until it either completes one (then it is never emitted: the output
/// ends just before the stop) or stops matching (then it is emitted). One instance per choice; not thread-safe.
/// </summary>
/// <remarks>
/// The stop that completes first wins, as when text arrives one character at a time: with the stops <c>abcd</c> and
/// <c>bc</c>, the text <c>abc</c> stops at <c>bc</c> and emits <c>a</c>. Matching is ordinal (exact UTF-16 code units).
/// </remarks>
public sealed class StopSequenceMatcher
{
    /// <summary>The most stop sequences a request may give (OpenAI's limit).</summary>
    public const int MaxStopSequences = 4;

    private readonly string[] _stops;
    private string _held = string.Empty;

    /// <param name="stops">Up to <see cref="MaxStopSequences"/> non-empty strings; none disables matching.</param>
    /// <exception cref="ArgumentException">Too many, or an empty one (the parameter name is OpenAI's field, <c>stop</c>).</exception>
    public StopSequenceMatcher(IReadOnlyCollection<string> stops)
    {
        ArgumentNullException.ThrowIfNull(stops);
        if (stops.Count > MaxStopSequences)
        {
            throw new ArgumentException($"'stop' takes at most {MaxStopSequences} sequences; it has {stops.Count}.", "stop");
        }

        if (stops.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("'stop' holds an empty sequence; every stop sequence needs at least one character.", "stop");
        }

        _stops = [.. stops];
    }

    /// <summary>Whether a stop sequence has matched: the text has ended, and <see cref="Push"/> takes no more.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Adds text; returns what can be emitted now (held text included once it cannot start a stop).</summary>
    public string Push(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Stopped)
        {
            return string.Empty;
        }

        string pending = string.Concat(_held, text);
        int stopAt = -1, stopEnd = int.MaxValue;
        foreach (string stop in _stops)
        {
            int at = pending.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (at + stop.Length < stopEnd || (at + stop.Length == stopEnd && at < stopAt)))
            {
                stopAt = at;
                stopEnd = at + stop.Length;
            }
        }

        if (stopAt >= 0)
        {
            Stopped = true;
            _held = string.Empty;
            return pending[..stopAt];
        }

        int hold = HeldLength(pending);
        _held = pending[^hold..];
        return pending[..^hold];
    }

    /// <summary>At the end of the text (EOS or the token limit): the held text, which no stop completed.</summary>
    public string Flush()
    {
        string held = _held;
        _held = string.Empty;
        return held;
    }

    /// <summary>The longest end of the text that is the start of a stop sequence (and not a whole one: that matched).</summary>
    private int HeldLength(string text)
    {
        int longest = 0;
        foreach (string stop in _stops)
        {
            for (int length = Math.Min(stop.Length - 1, text.Length); length > longest; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    longest = length;
                    break;
                }
            }
        }

        return longest;
    }
}
