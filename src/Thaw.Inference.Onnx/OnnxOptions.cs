using System.ComponentModel.DataAnnotations;

namespace Thaw.Inference.Onnx;

/// <summary>The <c>Thaw:Onnx</c> configuration section.</summary>
public sealed class OnnxOptions
{
    public const string SectionName = "Thaw:Onnx";

    /// <summary><c>Auto</c> (CUDA when loadable, else CPU), <c>Cuda</c> (fail without it) or <c>Cpu</c>.</summary>
    public ExecutionProviderPreference ExecutionProvider { get; set; } = ExecutionProviderPreference.Auto;

    [Range(0, 64)]
    public int CudaDeviceId { get; set; }

    /// <summary>
    /// Threads inside one operator. 0 (default): <see cref="Environment.ProcessorCount"/>, which honours a
    /// container's CPU limit, unlike ONNX Runtime's own default (physical cores of the host, one on a 2-vCPU VM;
    /// measured here 2.67 ms vs 3.74 ms for a batch-1 pass with 2 threads vs 1).
    /// </summary>
    [Range(0, 1024)]
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Whether idle intra-op threads spin (ONNX Runtime's default) or sleep (Thaw's default). Spinning shaves about a
    /// millisecond off a lone request but burns the cores that HTTP handling and tokenization need while a batch runs:
    /// measured with <c>thaw bench http</c> on 2 cores, 32 clients with batching went from 509 to 774 requests/s.
    /// </summary>
    public bool IntraOpSpinning { get; set; }

    /// <summary>Threads across independent operators; 0 is ONNX Runtime's default.</summary>
    [Range(0, 1024)]
    public int InterOpThreads { get; set; }
}
