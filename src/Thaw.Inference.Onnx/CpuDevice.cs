using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Thaw.Inference.Onnx;

/// <summary>
/// What a CPU-optimized graph may depend on: ONNX Runtime warns that graphs saved at its highest level "may contain
/// hardware specific optimizations" (its kernels and layout transforms follow the vector width), so the snapshot key
/// names the architecture and the widest vector extension.
/// </summary>
internal static class CpuDevice
{
    public static string Describe()
    {
        Architecture architecture = RuntimeInformation.ProcessArchitecture;
        string extension = architecture switch
        {
            Architecture.X64 or Architecture.X86 => Avx512F.IsSupported ? "avx512" : Avx2.IsSupported ? "avx2" : Avx.IsSupported ? "avx" : "sse",
            Architecture.Arm64 => Dp.IsSupported ? "neon-dotprod" : "neon",
            _ => "generic",
        };
        return $"{architecture.ToString().ToLowerInvariant()}-{extension}";
    }
}
