using System.Runtime.InteropServices;

namespace Thaw.Inference.Onnx;

/// <summary>
/// Finds out whether ONNX Runtime's CUDA provider library can be loaded, and if not, why (the loader's own
/// message, e.g. "libcublasLt.so.13: cannot open shared object file"). Asking first keeps ONNX Runtime from
/// printing its own error to stderr, and gives the operator the real reason in one log line.
/// </summary>
internal static class CudaProviderProbe
{
    private static readonly Lazy<string?> Failure = new(Probe);

    /// <summary>Null when the provider loads; else why it does not.</summary>
    public static string? FailureReason => Failure.Value;

    private static string? Probe()
    {
        string fileName = OperatingSystem.IsWindows() ? "onnxruntime_providers_cuda.dll" : "libonnxruntime_providers_cuda.so";
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", fileName),
            Path.Combine(AppContext.BaseDirectory, fileName),
        ];
        string? path = candidates.FirstOrDefault(File.Exists);
        if (path is null)
        {
            return $"{fileName} is not deployed with this application";
        }

        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            // The loader's own words (dlerror) come last, after .NET's generic advice.
            return e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        }
    }
}
