using Thaw.Testing;

namespace Thaw.Cli.Tests;

/// <summary>Runs <c>thaw</c> in-process with captured streams, on CPU and the shared test cache.</summary>
internal static class Thaw
{
    public static readonly string[] TestSettings =
    [
        "--set", $"Thaw:CacheDirectory={RealModels.CacheDirectory}",
        "--set", $"Thaw:Models:CatalogDirectory={RealModels.CatalogDirectory}",
        "--set", "Thaw:Onnx:ExecutionProvider=Cpu",
    ];

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] args, string stdin = "")
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exitCode = await ThawCommandLine.InvokeAsync([.. args, .. TestSettings], stdout, stderr, new StringReader(stdin));
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}
