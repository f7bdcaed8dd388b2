namespace Thaw.Inference.Storage;

/// <summary>
/// Local files that appear whole or not at all: written beside their target (<c>{path}.{guid}.partial</c>), flushed
/// to disk, then renamed over it. The flush comes before the rename because a rename can reach the disk before the
/// data it names: after a power cut the target would exist with its final name and size but torn content, which a
/// reader (or a <see cref="VerifiedFile"/> stamp that trusts size and time) would take for whole.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically.</summary>
    public static Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        WriteAsync(path, (stream, ct) => stream.WriteAsync(content, ct).AsTask(), cancellationToken);

    /// <summary>
    /// Writes <paramref name="path"/> atomically from what <paramref name="write"/> streams into the partial file, so
    /// that a large file is never held in memory; the partial never survives, whether <paramref name="write"/> fails or not.
    /// </summary>
    /// <returns>The bytes written.</returns>
    public static async Task<long> WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        string partial = PartialPath(path);
        try
        {
            long bytes;
            await using (var stream = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await write(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
                bytes = stream.Length;
            }

            File.Move(partial, path, overwrite: true);
            return bytes;
        }
        finally
        {
            File.Delete(partial);
        }
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) to <paramref name="path"/> atomically.</summary>
    public static Task WriteAllTextAsync(string path, string text, CancellationToken cancellationToken = default) =>
        WriteAsync(path, System.Text.Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>
    /// Publishes a partial file the caller filled another way (a download, a stream kept open across calls): flushes it
    /// to disk and renames it over <paramref name="path"/>. The caller still deletes the partial when it gives up.
    /// </summary>
    public static void Publish(string partial, string path)
    {
        FlushToDisk(partial);
        File.Move(partial, path, overwrite: true);
    }

    /// <summary>Flushes a closed file's data to disk, e.g. each file of a directory about to be renamed into place.</summary>
    public static void FlushToDisk(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>A fresh partial-file name beside <paramref name="path"/> (the cache's sweep of abandoned work removes those a killed process left).</summary>
    public static string PartialPath(string path) => $"{path}.{Guid.NewGuid():N}.partial";
}
