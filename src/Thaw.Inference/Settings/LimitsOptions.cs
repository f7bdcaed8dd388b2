using System.ComponentModel.DataAnnotations;

namespace Thaw.Inference.Settings;

/// <summary>The <c>Thaw:Limits</c> configuration section: what one request may carry, on every endpoint and batch line.</summary>
public sealed class LimitsOptions
{
    public const string SectionName = "Thaw:Limits";

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
