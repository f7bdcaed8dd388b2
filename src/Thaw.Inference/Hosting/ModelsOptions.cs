using System.ComponentModel.DataAnnotations;

namespace Thaw.Inference.Hosting;

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
