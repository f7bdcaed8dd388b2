using System.ComponentModel.DataAnnotations;
using Thaw.Inference.Batching;

namespace Thaw.Inference.Hosting;

/// <summary>The <c>Thaw</c> configuration section (appsettings, <c>Thaw__Section__Key</c> environment variables or Functions app settings).</summary>
public sealed class ThawOptions
{
    public const string SectionName = "Thaw";

    /// <summary>Local disk cache for model files. Default: <c>$XDG_CACHE_HOME/thaw</c>, else <c>~/.cache/thaw</c>.</summary>
    public string? CacheDirectory { get; set; }

    public ModelsOptions Models { get; set; } = new();

    public BatchingOptions Batching { get; set; } = new();

    public LimitsOptions Limits { get; set; } = new();

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

public sealed class ModelsOptions
{
    /// <summary>The folder with one sub-folder per model manifest. Default: <c>models/</c> next to the executable.</summary>
    public string? CatalogDirectory { get; set; }

    /// <summary>The model used when a request names none.</summary>
    [Required]
    public string Default { get; set; } = "all-minilm-l6-v2";

    /// <summary>Models loaded in the background at start. Null: the default model. <c>none</c>: nothing.</summary>
    public string[]? Prewarm { get; set; }

    /// <summary>The NuGet global packages folder for <c>nuget</c> sources. Default: <c>$NUGET_PACKAGES</c>, else <c>~/.nuget/packages</c>.</summary>
    public string? NuGetPackagesDirectory { get; set; }

    /// <summary>How long a request waits for its model to finish loading before it gets 503 + Retry-After.</summary>
    public TimeSpan LoadWaitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The Retry-After given with a 503 while a model loads.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(2);

    public string ResolveCatalogDirectory() =>
        !string.IsNullOrEmpty(CatalogDirectory) ? CatalogDirectory : Path.Combine(AppContext.BaseDirectory, "models");

    public IReadOnlyList<string> ResolvePrewarm() =>
        Prewarm switch
        {
            null => [Default],
            ["none"] => [],
            _ => Prewarm,
        };
}

/// <summary><c>Thaw:Batching</c>: the interactive profile (HTTP) at the top level, the bulk profile (queue jobs) under <c>Bulk</c>.</summary>
public sealed class BatchingOptions : BatchingProfile
{
    public BatchingProfile Bulk { get; set; } = BatchingProfile.BulkDefaults();
}

public sealed class LimitsOptions
{
    /// <summary>Most inputs in one request (OpenAI's limit is 2048).</summary>
    [Range(1, 1 << 20)]
    public int MaxInputs { get; set; } = 2048;

    /// <summary>Most characters in one input; longer inputs are refused with 413 before any work.</summary>
    [Range(1, 1 << 26)]
    public int MaxInputChars { get; set; } = 100_000;

    /// <summary>Largest request body in bytes.</summary>
    [Range(1, 1L << 32)]
    public long MaxRequestBytes { get; set; } = 16L << 20;
}
