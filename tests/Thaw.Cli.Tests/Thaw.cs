using Thaw.Cli.Commands;
using Thaw.Testing;

namespace Thaw.Cli.Tests;

/// <summary>Runs <c>thaw</c> in-process with captured streams, on CPU and the shared test cache (a test's own --set wins).</summary>
internal static class Thaw
{
    private static readonly string[] TestSettings = RealModels.HostSettings().SelectMany(s => new[] { "--set", $"{s.Key}={s.Value}" }).ToArray();

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] args, string stdin = "")
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exitCode = await ThawCommandLine.InvokeAsync([.. TestSettings, .. args], stdout, stderr, new StringReader(stdin));
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}
