using System.ComponentModel.DataAnnotations;

namespace Thaw.Inference.Hosting;

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
