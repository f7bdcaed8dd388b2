using System.Diagnostics;
using System.Globalization;
using Thaw.Inference.Jobs;

namespace Thaw.Cli.Commands;

/// <summary>
/// <c>thaw batch wait</c>'s progress: on a terminal, one self-overwriting line —
/// "batch_… in_progress [######....] 450/1000 45% 120 lines/s ETA 5s (3 failed)" —; redirected, a plain line each
/// time the counts or the status change, so logs and tests read cleanly.
/// </summary>
internal sealed class BatchProgressBar(TextWriter stderr)
{
    private readonly bool _terminal = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
    private long _started;
    private int _startDone = -1;
    private string? _last;

    public void Report(BatchRecord batch)
    {
        long now = Stopwatch.GetTimestamp();
        BatchRequestCounts counts = batch.RequestCounts;
        int done = counts.Completed + counts.Failed;
        if (_startDone < 0 || done < _startDone)
        {
            (_started, _startDone) = (now, done);
        }

        double seconds = Stopwatch.GetElapsedTime(_started, now).TotalSeconds;
        double rate = seconds > 0 ? (done - _startDone) / seconds : 0;
        string eta = rate > 0 && counts.Total > done ? $" ETA {Eta(TimeSpan.FromSeconds((counts.Total - done) / rate))}" : "";
        double fraction = counts.Total == 0 ? (batch.IsTerminal ? 1 : 0) : Math.Min(1, (double)done / counts.Total);
        string status = Status(batch.Status);
        string failed = counts.Failed > 0 ? $" ({counts.Failed} failed)" : "";
        if (_terminal)
        {
            int filled = (int)(fraction * 30);
            stderr.Write(string.Create(CultureInfo.InvariantCulture,
                $"\r{batch.Id} {status,-11} [{new string('#', filled)}{new string('.', 30 - filled)}] {done}/{counts.Total} {fraction:P0} {rate:0} lines/s{eta}{failed}   "));
            if (batch.IsTerminal)
            {
                stderr.WriteLine();
            }

            return;
        }

        string line = string.Create(CultureInfo.InvariantCulture, $"{batch.Id} {status} {done}/{counts.Total}{failed}");
        if (line != _last)
        {
            _last = line;
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{line} {fraction:P0} {rate:0} lines/s{eta}"));
        }
    }

    private static string Eta(TimeSpan left) => left.TotalSeconds switch
    {
        < 60 => string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(left.TotalSeconds):0}s"),
        < 3600 => string.Create(CultureInfo.InvariantCulture, $"{(int)left.TotalMinutes}m{left.Seconds:00}s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)left.TotalHours}h{left.Minutes:00}m"),
    };

    public static string Status(BatchStatus status) => status switch
    {
        BatchStatus.InProgress => "in_progress",
        _ => status.ToString().ToLowerInvariant(),
    };
}
