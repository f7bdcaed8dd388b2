using System.Globalization;
using System.Security.Cryptography;

namespace Thaw.Inference.Storage;

/// <summary>
/// How files enter and stay in the local cache: a file is published only by atomic rename after its size and SHA-256
/// matched, and a stamp written beside it (<c>{file}.verified</c>: size, last-write time, hash) lets later loads
/// trust it without reading it again, as long as its size and last-write time are unchanged. Anything that rewrites
/// or truncates the file changes those and forces a full re-hash; <c>thaw snapshot verify</c> always hashes.
/// </summary>
public static class VerifiedFile
{
    /// <summary>Whether <paramref name="value"/> is a SHA-256 as the manifests write it: 64 lower-case hex digits.</summary>
    public static bool IsSha256(string? value) => value is { Length: 64 } && value.All(char.IsAsciiHexDigitLower);

    /// <summary>Lower-case hex SHA-256 of a file, as in the manifests.</summary>
    public static async Task<string> HashAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Whether <paramref name="path"/> holds exactly this content: by its stamp when the stamp still describes the
    /// file, else by hashing it (and stamping it when it matches).
    /// </summary>
    /// <returns>The verdict and the bytes hashed to reach it (0 when the stamp sufficed).</returns>
    public static async Task<(bool Intact, long BytesHashed)> CheckAsync(string path, string sha256, long size, CancellationToken cancellationToken = default)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length != size)
        {
            return (false, 0);
        }

        if (ReadStamp(path) == Stamp(info, sha256))
        {
            return (true, 0);
        }

        bool intact = await HashAsync(path, cancellationToken).ConfigureAwait(false) == sha256;
        if (intact)
        {
            WriteStamp(path, sha256);
        }

        return (intact, size);
    }

    /// <summary>
    /// Lands a file: <paramref name="fill"/> writes a fresh partial file (or answers false: nothing there), its size
    /// and SHA-256 are checked, and only a match is published at <paramref name="path"/> (flushed to disk, then renamed: <see cref="AtomicFile.Publish"/>), stamped.
    /// The partial file never survives.
    /// </summary>
    public static async Task<Landing> LandAsync(string sha256, long size, string path, Func<string, Task<bool>> fill, CancellationToken cancellationToken = default)
    {
        string partial = AtomicFile.PartialPath(path);
        try
        {
            if (!await fill(partial).ConfigureAwait(false))
            {
                return new Landing(Found: false, Published: false, 0, "");
            }

            long actualSize = new FileInfo(partial).Length;
            string hash = await HashAsync(partial, cancellationToken).ConfigureAwait(false);
            bool matches = actualSize == size && hash == sha256;
            if (matches)
            {
                AtomicFile.Publish(partial, path);
                WriteStamp(path, sha256);
            }

            return new Landing(Found: true, matches, actualSize, hash);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    /// <summary>Stamps a file whose content was just hashed by the caller (e.g. a file it wrote itself).</summary>
    public static void WriteStamp(string path, string sha256) => File.WriteAllText(StampPath(path), Stamp(new FileInfo(path), sha256));

    /// <summary>Removes a file and its stamp.</summary>
    public static void Delete(string path)
    {
        File.Delete(path);
        File.Delete(StampPath(path));
    }

    private static string StampPath(string path) => path + ".verified";

    private static string Stamp(FileInfo info, string sha256) =>
        string.Create(CultureInfo.InvariantCulture, $"{info.Length} {info.LastWriteTimeUtc.Ticks} {sha256}");

    private static string? ReadStamp(string path)
    {
        try
        {
            return File.ReadAllText(StampPath(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>What <see cref="LandAsync"/> found.</summary>
    /// <param name="Found">The tier held the content.</param>
    /// <param name="Published">It matched and is now at its path.</param>
    /// <param name="Size">Bytes received.</param>
    /// <param name="Hash">SHA-256 of what was received.</param>
    public readonly record struct Landing(bool Found, bool Published, long Size, string Hash);
}
