using Thaw.Testing;

namespace Thaw.Functions.Tests.FunctionsHost;

/// <summary>The app settings the tests start the worker with: the shared model cache, CPU only.</summary>
internal static class WorkerSettings
{
    public static Dictionary<string, string?> Default() => new()
    {
        ["Thaw__CacheDirectory"] = RealModels.CacheDirectory,
        ["Thaw__Onnx__ExecutionProvider"] = "Cpu",
    };
}
