using System.CommandLine;
using System.Diagnostics;
using Thaw.Cli.Commands;
using Thaw.Testing;

namespace Thaw.Cli.Tests;

/// <summary>Secrets reach Thaw through files or the environment, never through argv, which every user of the machine can read.</summary>
public sealed class SecretsTests : IDisposable
{
    private const string ConnectionString = "DefaultEndpointsProtocol=https;AccountName=thawexample;AccountKey=c2VjcmV0LWtleS1ub3QtaW4tYXJndg==";
    private readonly string _directory = Directory.CreateTempSubdirectory("thaw-secrets-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ServerStartInfo_BenchColdStartChild_GetsEverySettingThroughItsEnvironmentAndNoneInArgv()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Thaw:Storage:ConnectionString"] = ConnectionString,
            ["Thaw:ApiKeys:0"] = "key-from-a-file",
            ["Thaw:CacheDirectory"] = "/cache",
        };

        ProcessStartInfo start = BenchColdStartCommand.ServerStartInfo("thaw", 5001, settings);

        // The apphost differs from this test host, so it is the first argument of this process (dotnet).
        Assert.Equal(["thaw", "serve", "--urls", "http://127.0.0.1:5001"], start.ArgumentList);
        Assert.Equal(ConnectionString, start.Environment["Thaw__Storage__ConnectionString"]);
        Assert.Equal("key-from-a-file", start.Environment["Thaw__ApiKeys__0"]);
    }

    [Fact]
    public async Task ServerStartInfo_SpawnedChild_HasNoSecretInItsCommandLine()
    {
        // A real child: what `ps` shows is /proc/<pid>/cmdline. `sleep` stands in for thaw serve, it only has to run.
        ProcessStartInfo start = BenchColdStartCommand.ServerStartInfo("thaw", 5002, new Dictionary<string, string?> { ["Thaw:Storage:ConnectionString"] = ConnectionString });
        var sleep = new ProcessStartInfo("sleep") { UseShellExecute = false };
        sleep.ArgumentList.Add("30");
        foreach ((string name, string? value) in start.Environment)
        {
            sleep.Environment[name] = value;
        }

        using Process child = Process.Start(sleep)!;
        try
        {
            // Until the child has exec'd, /proc shows the parent's command line: wait for the child's own.
            await Eventually.WaitUntilAsync(() => File.ReadAllText($"/proc/{child.Id}/cmdline").StartsWith("sleep", StringComparison.Ordinal));
            string commandLine = (await File.ReadAllTextAsync($"/proc/{child.Id}/cmdline")).Replace('\0', ' ');
            string environment = await File.ReadAllTextAsync($"/proc/{child.Id}/environ");

            Assert.Equal("sleep 30 ", commandLine);
            Assert.Contains($"Thaw__Storage__ConnectionString={ConnectionString}\0", environment, StringComparison.Ordinal);
        }
        finally
        {
            child.Kill();
            await child.WaitForExitAsync();
        }
    }

    [Fact]
    public void Read_SetFile_TakesTheValueFromTheFileWithoutItsLineBreak_AndWinsOverSet()
    {
        string path = Path.Combine(_directory, "key");
        File.WriteAllText(path, "from-the-file\n");
        var root = new RootCommand { ConfigurationOverrides.CreateOption(), ConfigurationOverrides.CreateFileOption() };

        ParseResult parse = root.Parse(["--set", "Thaw:ApiKeys:0=from-argv", "--set", "Thaw:Other=kept", "--set-file", $"Thaw:ApiKeys:0={path}"]);
        Dictionary<string, string?> overrides = ConfigurationOverrides.Read(parse);

        Assert.Empty(parse.Errors);
        Assert.Equal("from-the-file", overrides["Thaw:ApiKeys:0"]);
        Assert.Equal("kept", overrides["Thaw:Other"]);
    }

    [Fact]
    public async Task SetFile_MissingFile_FailsAtStartNamingTheKeyAndThePath()
    {
        string missing = Path.Combine(_directory, "absent");

        (int exitCode, _, string stderr) = await Thaw.RunAsync(["models", "--set-file", $"Thaw:ApiKeys:0={missing}"]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"--set-file Thaw:ApiKeys:0: cannot read '{missing}'", stderr, StringComparison.Ordinal);
    }
}
