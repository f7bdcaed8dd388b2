using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;

namespace Thaw.Inference.Onnx.Generation;

/// <summary>
/// The device memory a GroupQueryAttention KV cache lives in on CUDA: one <see cref="OrtMemoryInfo"/> per device for
/// the process's lifetime, like <see cref="OrtMemoryInfo.DefaultInstance"/> for host memory, because every step's
/// views of the cache are created over it and may not outlive it.
/// </summary>
internal static class CudaKvMemory
{
    private static readonly ConcurrentDictionary<int, OrtMemoryInfo> Devices = new();

    public static OrtMemoryInfo For(int deviceId) =>
        Devices.GetOrAdd(deviceId, id => new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.DeviceAllocator, id, OrtMemType.Default));
}
