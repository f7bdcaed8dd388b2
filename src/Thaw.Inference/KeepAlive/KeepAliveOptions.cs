using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Thaw.Inference.KeepAlive;

/// <summary>The <c>Thaw:KeepAlive</c> configuration section.</summary>
public sealed class KeepAliveOptions : IValidatableObject
{
    public const string SectionName = "Thaw:KeepAlive";

    /// <summary>The policy: <c>fixed</c> (the default) or <c>histogram</c>.</summary>
    public string Policy { get; set; } = FixedKeepAlivePolicy.PolicyName;

    [ValidateObjectMembers]
    public FixedKeepAliveOptions Fixed { get; set; } = new();

    /// <summary>The histogram policy's settings; also the shape of the idle-time statistics, recorded whatever the policy.</summary>
    [ValidateObjectMembers]
    public HistogramKeepAliveOptions Histogram { get; set; } = new();

    /// <summary>Where idle-time statistics are kept without Blob Storage. Default: <c>{CacheDirectory}/keepalive</c>.</summary>
    public string? StatisticsDirectory { get; set; }

    /// <summary>The policy must be one Thaw knows.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!KeepAlivePolicies.Names.Contains(Policy?.ToLowerInvariant(), StringComparer.Ordinal))
        {
            yield return new ValidationResult($"unknown keep-alive policy '{Policy}'; known: {string.Join(", ", KeepAlivePolicies.Names)}.", [nameof(Policy)]);
        }
    }
}
