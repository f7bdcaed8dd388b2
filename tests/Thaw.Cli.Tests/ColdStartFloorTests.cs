using System.Diagnostics;
using System.Text.Json;
using Thaw.Testing;

namespace Thaw.Cli.Tests;

/// <summary>
/// The floor program that <c>thaw bench coldstart</c> compares Thaw with must do the same work: the same snapshot in,
/// the same embedding out. A floor that answered less (a smaller model, no run) would flatter every ratio.
/// </summary>
public sealed class ColdStartFloorTests
{
    private const string Sentence = "Thaw cold-start probe.";

    [Fact]
    public async Task FloorProgram_ThawsOwnSnapshot_GivesThawsEmbedding()
    {
        (int exitCode, string stdout, string stderr) = await Thaw.RunAsync(["embed", "-m", RealModels.MiniLm, Sentence]);
        Assert.True(exitCode == 0, stderr);
        double thaws = JsonDocument.Parse(stdout).RootElement.GetProperty("data")[0].GetProperty("embedding")[0].GetDouble();
        string manifest = Directory.GetFiles(Path.Combine(RealModels.CacheDirectory, "snapshots", RealModels.MiniLm), "snapshot.json", SearchOption.AllDirectories)[0];
        string snapshot = Path.GetDirectoryName(manifest)!;

        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "thaw-floor"))
        {
            ArgumentList = { Path.Combine(snapshot, "model.onnx"), Path.Combine(snapshot, "vocab.txt"), Sentence },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process floor = Process.Start(start)!;
        string line = await floor.StandardOutput.ReadToEndAsync();
        string errors = await floor.StandardError.ReadToEndAsync();
        await floor.WaitForExitAsync();

        Assert.True(floor.ExitCode == 0, errors);
        JsonElement result = JsonDocument.Parse(line).RootElement;
        Assert.Equal(384, result.GetProperty("dimensions").GetInt32());
        Assert.Equal(thaws, result.GetProperty("first").GetDouble(), 1e-5);
        foreach (string phase in (string[])["main_ms", "session_ms", "tokenizer_ms", "run_ms"])
        {
            Assert.True(result.GetProperty(phase).GetDouble() > 0, phase);
        }
    }
}
