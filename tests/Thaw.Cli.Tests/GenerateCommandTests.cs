using Thaw.Testing;

namespace Thaw.Cli.Tests;

public sealed class GenerateCommandTests
{
    [Fact]
    public async Task Help_ListsTheSamplingOptions()
    {
        (int exitCode, string stdout, _) = await Thaw.RunAsync(["generate", "--help"]);

        Assert.Equal(0, exitCode);
        foreach (string option in new[] { "--model", "--system", "--raw", "--max-tokens", "--temperature", "--top-p", "--seed", "--stop", "--usage", "--set" })
        {
            Assert.Contains(option, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Generate_EmptyPrompt_ExitsWith2AndSaysWhere()
    {
        (int exitCode, string stdout, string stderr) = await Thaw.RunAsync(["generate"], stdin: "  \n");

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains("the prompt is empty", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_EmbeddingModel_ExitsWith2NamingTheTask()
    {
        (int exitCode, string stdout, string stderr) = await Thaw.RunAsync(["generate", "-m", RealModels.MiniLm, "hello"]);

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains($"'{RealModels.MiniLm}' is an embedding model", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_UnknownModel_ExitsWith2()
    {
        (int exitCode, _, string stderr) = await Thaw.RunAsync(["generate", "-m", "nope", "hello"]);

        Assert.Equal(2, exitCode);
        Assert.Contains("The model 'nope' does not exist", stderr, StringComparison.Ordinal);
    }
}
