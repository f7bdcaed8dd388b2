using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Thaw.Inference.Generation.Scheduling;

namespace Thaw.Inference.Hosting;

/// <summary>The <c>Thaw</c> configuration section (appsettings, <c>Thaw__Section__Key</c> environment variables or Functions app settings).</summary>
public sealed class ThawOptions : IValidatableObject
{
    public const string SectionName = "Thaw";

    /// <summary>Local disk cache for model files. Default: <c>$XDG_CACHE_HOME/thaw</c>, else <c>~/.cache/thaw</c>.</summary>
    public string? CacheDirectory { get; set; }

    [ValidateObjectMembers]
    public ModelsOptions Models { get; set; } = new();

    [ValidateObjectMembers]
    public BatchingOptions Batching { get; set; } = new();

    [ValidateObjectMembers]
    public LimitsOptions Limits { get; set; } = new();

    /// <summary><c>Thaw:Generation</c>: the decode scheduler's mode and its interactive and bulk profiles, for every text-generation model.</summary>
    [ValidateObjectMembers]
    public GenerationSchedulerOptions Generation { get; set; } = new();

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

    /// <summary>
    /// Limits that depend on each other: a request that passes <c>Thaw:Limits:MaxInputs</c> must fit in each batcher's
    /// queue, or it is refused as overloaded (429) on every try, however idle the model.
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach ((string key, int queue) in new[]
        {
            ("Thaw:Batching:MaxQueuedInputs", Batching.MaxQueuedInputs),
            ("Thaw:Batching:Bulk:MaxQueuedInputs", Batching.Bulk.MaxQueuedInputs),
        })
        {
            if (Limits.MaxInputs > queue)
            {
                yield return new ValidationResult(
                    $"Thaw:Limits:MaxInputs ({Limits.MaxInputs}) exceeds {key} ({queue}): a request with that many inputs could never be queued. " +
                    $"Raise {key} or lower Thaw:Limits:MaxInputs.");
            }
        }
    }
}
