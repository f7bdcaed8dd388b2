namespace Thaw.Inference.Settings;

/// <summary>
/// The one key of the <c>Thaw</c> section itself: the local disk cache that model files, prepared-model snapshots,
/// keep-alive statistics and local batch jobs live under.
/// </summary>
public sealed class CacheOptions
{
    public const string SectionName = "Thaw";

    /// <summary>Local disk cache for model files. Default: <c>$XDG_CACHE_HOME/thaw</c>, else <c>~/.cache/thaw</c>.</summary>
    public string? CacheDirectory { get; set; }

    public string ResolveCacheDirectory()
    {
        if (!string.IsNullOrEmpty(CacheDirectory))
        {
            return CacheDirectory;
        }

        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = !string.IsNullOrEmpty(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "thaw");
    }
}
