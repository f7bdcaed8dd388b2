using System.ComponentModel.DataAnnotations;

namespace Thaw.Inference.Settings;

/// <summary>The <c>Thaw:Models</c> configuration section: the catalog, the default and pre-warmed models, and how the pool waits for loads.</summary>
public sealed class ModelsOptions : IValidatableObject
{
    public const string SectionName = "Thaw:Models";

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
    [TimeSpanRange("00:00:00", "01:00:00")]
    public TimeSpan LoadWaitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most requests waiting for one model's load; beyond it, 503 + Retry-After at once.</summary>
    [Range(1, 1_000_000)]
    public int MaxWaitingRequests { get; set; } = 256;

    /// <summary>
    /// Bytes the loaded models may take together, each counted as its files' size (the weights dominate); 0: no
    /// limit. Loading a model that does not fit unloads the least recently used first.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MemoryBudgetBytes { get; set; }

    /// <summary>The Retry-After given with a 503 while a model loads.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a failed pre-warm load waits before it is tried again; each further failure doubles the wait, up to <see cref="PrewarmRetryMaxDelay"/>.</summary>
    [TimeSpanRange("00:00:00.010", "01:00:00")]
    public TimeSpan PrewarmRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between two attempts of a failing pre-warm load.</summary>
    [TimeSpanRange("00:00:00.010", "1.00:00:00")]
    public TimeSpan PrewarmRetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    public string ResolveCatalogDirectory() =>
        !string.IsNullOrEmpty(CatalogDirectory) ? CatalogDirectory : Path.Combine(AppContext.BaseDirectory, "models");

    public IReadOnlyList<string> ResolvePrewarm() =>
        Prewarm switch
        {
            null => [Default],
            ["none"] => [],
            _ => Prewarm,
        };

    /// <summary>The back-off's cap is no shorter than its first wait.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PrewarmRetryMaxDelay < PrewarmRetryDelay)
        {
            yield return new ValidationResult(
                $"{PrewarmRetryMaxDelay:c} is shorter than Thaw:Models:PrewarmRetryDelay ({PrewarmRetryDelay:c}); the back-off's cap must be at least its first wait.",
                [nameof(PrewarmRetryMaxDelay)]);
        }
    }
}
