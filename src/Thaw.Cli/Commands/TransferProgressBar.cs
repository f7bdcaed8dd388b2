using System.Diagnostics;
using System.Globalization;
using Thaw.Inference.Catalog;
using Thaw.Inference.Sources;

namespace Thaw.Cli.Commands;

/// <summary>
/// One self-overwriting line on a terminal's standard error — "model/file [#####.....] 45.2/90.9 MB 49% 310 MB/s" —
/// at most ten times a second. Silent when standard error is not a terminal, so logs and tests stay clean.
/// </summary>
internal sealed class TransferProgressBar(TextWriter stderr) : IProgress<TransferProgress>
{
    private readonly bool _enabled = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
    private readonly Lock _gate = new();
    private string? _file;
    private long _fileStarted;
    private long _fileStartBytes;
    private long _lastDrawn;

    public void Report(TransferProgress value)
    {
        if (!_enabled)
        {
            return;
        }

        lock (_gate)
        {
            bool done = value.BytesDone >= value.BytesTotal;
            long now = Stopwatch.GetTimestamp();
            string file = $"{value.ModelId}/{value.FileName}";
            if (file != _file)
            {
                // Timed from the first report: the rate covers the bytes since then.
                (_file, _fileStarted, _fileStartBytes) = (file, now, value.BytesDone);
            }

            if (!done && Stopwatch.GetElapsedTime(_lastDrawn, now) < TimeSpan.FromMilliseconds(100))
            {
                return;
            }

            _lastDrawn = now;
            double fraction = value.BytesTotal == 0 ? 1 : Math.Min(1, (double)value.BytesDone / value.BytesTotal);
            int filled = (int)(fraction * 30);
            double seconds = Math.Max(Stopwatch.GetElapsedTime(_fileStarted, now).TotalSeconds, 1e-3);
            stderr.Write(string.Create(CultureInfo.InvariantCulture,
                $"\r{file} [{new string('#', filled)}{new string('.', 30 - filled)}] " +
                $"{value.BytesDone / 1e6:0.0}/{value.BytesTotal / 1e6:0.0} MB {fraction:P0} {(value.BytesDone - _fileStartBytes) / 1e6 / seconds:0} MB/s"));
            if (done)
            {
                stderr.WriteLine();
            }
        }
    }

    /// <summary>The same bar for a transfer that reports bytes only (an upload to the snapshot store).</summary>
    public IProgress<long> For(string modelId, ModelFileSpec file) =>
        new Progress<long>(bytes => Report(new TransferProgress(modelId, file.Name, bytes, file.Size)));
}
