using Thaw.Testing;

namespace Thaw.Cli.Tests;

/// <summary><c>thaw snapshot</c> against a real snapshot store (Azurite) with fresh caches.</summary>
public sealed class SnapshotCommandTests(Azurite azurite) : IClassFixture<Azurite>, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("thaw-snapshot-cli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task PushThenPullElsewhere_ServesTheSecondCacheFromTheStore()
    {
        (int pushed, string pushOut, string pushErr) = await RunAsync("first", "push", "-m", RealModels.MiniLm);
        (int listed, string listOut, _) = await RunAsync("first", "ls", "-m", RealModels.MiniLm);
        (int pulled, string pullOut, string pullErr) = await RunAsync("second", "pull", "-m", RealModels.MiniLm);
        (int verified, string verifyOut, _) = await RunAsync("second", "verify", "-m", RealModels.MiniLm);

        Assert.True(pushed == 0, pushErr);
        Assert.Contains($"{RealModels.MiniLm}/model.onnx: ", pushOut, StringComparison.Ordinal);
        Assert.Contains("blob thaw-snapshots/files/4a64cee3d4134bbdc86eed96e1a660efec58975417204ecfcf134140edb6e0e2", pushOut, StringComparison.Ordinal);
        Assert.Matches(@"all-minilm-l6-v2: snapshot published to blob thaw-snapshots/snapshots/all-minilm-l6-v2/[0-9a-f]{24}\.json", pushOut);
        Assert.Equal(0, listed);
        Assert.Matches(@"all-minilm-l6-v2\s+model\.onnx\s+4a64cee3d413\s+90\.9 MB\s+yes\s+yes", listOut);
        Assert.Matches(@"all-minilm-l6-v2\s+[0-9a-f]{24}\s+onnxruntime 1\.31\.\d+, cpu on \S+, optimization all, fp32\s+9\d\.\d MB\s+\S+ \S+\s+yes\s+yes\s+yes", listOut);
        Assert.True(pulled == 0, pullErr);
        Assert.Matches(@"all-minilm-l6-v2: snapshot [0-9a-f]{24} from snapshot-store, 9\d\.\d MB fetched", pullOut);
        Assert.Equal(0, verified);
        Assert.Contains("model.onnx: cache not cached, snapshot store ok", verifyOut, StringComparison.Ordinal);
        Assert.Matches(@"snapshot [0-9a-f]{24}/model\.onnx\.data: cache ok", verifyOut);
        Assert.Matches(@"snapshot [0-9a-f]{24}/model\.onnx\.data: snapshot store ok", verifyOut);
    }

    [Fact]
    public async Task Push_WithoutAStore_ExitsWith1AndSaysWhatToSet()
    {
        (int exitCode, _, string stderr) = await Thaw.RunAsync(["snapshot", "push", "-m", RealModels.MiniLm]);

        Assert.Equal(1, exitCode);
        Assert.Contains("set Thaw:Storage:ConnectionString or Thaw:Storage:ServiceUri", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ls_UnknownModel_ExitsWith2()
    {
        (int exitCode, _, string stderr) = await Thaw.RunAsync(["snapshot", "ls", "-m", "nope"]);

        Assert.Equal(2, exitCode);
        Assert.Contains("'nope' does not exist", stderr, StringComparison.Ordinal);
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string instance, params string[] args) =>
        Thaw.RunAsync(["snapshot", .. args,
            "--set", $"Thaw:CacheDirectory={Path.Combine(_root, instance)}",
            "--set", $"Thaw:Storage:ConnectionString={azurite.ConnectionString}"]);
}
