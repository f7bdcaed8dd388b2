using System.Diagnostics;
using System.Reflection;

namespace Thaw.Infra.Tests;

/// <summary>
/// The Bicep CLI that restore downloaded (Azure.Bicep.CommandLine.linux-x64, a PackageDownload of this project), run
/// as a process. Found in the NuGet packages folder: $NUGET_PACKAGES, else ~/.nuget/packages.
/// </summary>
internal static class BicepCli
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);

    public static string ExecutablePath { get; } = Locate();

    public static async Task<BicepResult> RunAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(ExecutablePath)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // No telemetry or update checks from a test run (and no network to send them to on CI).
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {ExecutablePath}.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} ran over {CommandTimeout}.");
        }

        return new BicepResult(process.ExitCode, await stdout, await stderr);
    }

    private static string Locate()
    {
        string version = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BicepVersion").Value ?? throw new InvalidOperationException("BicepVersion metadata is empty.");
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(packages, "azure.bicep.commandline.linux-x64", version, "tools", "bicep");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The Bicep CLI {version} is not at {path}: restore tests/Thaw.Infra.Tests (it is a PackageDownload).", path);
        }

        // NuGet extracts files without their execute bit on some setups.
        const UnixFileMode Execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | Execute);
        }

        return path;
    }
}

internal sealed record BicepResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Warnings and errors, one a line, as bicep prints them to standard error.</summary>
    public string[] Diagnostics => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
