using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Thaw.Inference.Sources;

/// <summary>
/// Removes what a process killed mid-way leaves in the cache: the work directories and files that become visible
/// only by rename (<c>{name}.{guid}.building</c>, <c>.pulling</c>, <c>.discarded</c> snapshot directories and
/// <c>.partial</c> downloads). A process that ends normally removes its own in a <c>finally</c>; a killed one (OOM, a
/// scaled-in instance, a SIGKILL after the grace period) cannot, and a model's worth of weights would stay on disk
/// for ever, once per kill.
/// </summary>
internal static partial class AbandonedWork
{
    /// <summary>
    /// Younger work may belong to another process sharing the cache (two instances on one volume), which no lock
    /// tells reliably on every file system; no download, pull or build takes a day, so anything older is abandoned.
    /// </summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromDays(1);

    /// <summary>Deletes the abandoned work directly in <paramref name="directory"/> (not below); returns how many.</summary>
    public static int Sweep(string directory, DateTimeOffset now, ILogger logger)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        int removed = 0;
        foreach (string path in Directory.EnumerateFileSystemEntries(directory))
        {
            if (!WorkName().IsMatch(Path.GetFileName(path)))
            {
                continue;
            }

            try
            {
                bool isDirectory = Directory.Exists(path);
                DateTime written = isDirectory ? Directory.GetLastWriteTimeUtc(path) : File.GetLastWriteTimeUtc(path);
                if (now.UtcDateTime - written < StaleAfter)
                {
                    continue;
                }

                if (isDirectory)
                {
                    Directory.Delete(path, recursive: true);
                }
                else
                {
                    File.Delete(path);
                }

                removed++;
                LogRemoved(logger, path, now.UtcDateTime - written);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another process sweeping the same cache got there first, or the file is not ours to delete.
            }
        }

        return removed;
    }

    [GeneratedRegex(@"\.[0-9a-f]{32}\.(building|pulling|discarded|partial)$", RegexOptions.CultureInvariant)]
    private static partial Regex WorkName();

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Removed {Path}, left in the cache {Age} ago by a process that did not finish")]
    private static partial void LogRemoved(ILogger logger, string path, TimeSpan age);
}
