using System.Runtime.InteropServices;

namespace Thaw.Inference.Onnx;

/// <summary>
/// The GPU's compute capability (e.g. <c>sm90</c> for an H100/H200), which a CUDA-optimized graph may depend on and
/// so belongs in its snapshot key. Asked of the CUDA driver API (libcuda), present wherever an NVIDIA driver is.
/// </summary>
internal static partial class CudaDevice
{
    private const string Driver = "libcuda.so.1";
    private const int ComputeCapabilityMajor = 75;
    private const int ComputeCapabilityMinor = 76;

    /// <summary>The compute capability of device <paramref name="ordinal"/>, or null when the driver cannot tell.</summary>
    public static string? TryGetComputeCapability(int ordinal)
    {
        try
        {
            return cuInit(0) == 0
                && cuDeviceGet(out int device, ordinal) == 0
                && cuDeviceGetAttribute(out int major, ComputeCapabilityMajor, device) == 0
                && cuDeviceGetAttribute(out int minor, ComputeCapabilityMinor, device) == 0
                ? $"sm{major}{minor}"
                : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return null;
        }
    }

    [LibraryImport(Driver)]
    private static partial int cuInit(uint flags);

    [LibraryImport(Driver)]
    private static partial int cuDeviceGet(out int device, int ordinal);

    [LibraryImport(Driver)]
    private static partial int cuDeviceGetAttribute(out int value, int attribute, int device);
}
