using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Thaw.Inference.Onnx.Generation;
using Thaw.Testing;

namespace Thaw.Cli.Tests;

/// <summary>
/// <c>thaw batch</c> against the standalone host on loopback, which runs the jobs itself (embedded defaults), over a
/// catalog of the real embedding model and a tiny real decoder.
/// </summary>
public sealed class BatchCommandTests : IAsyncLifetime
{
    private const string Decoder = "tiny-chat";
    private const string ChatUrl = "/v1/chat/completions";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "thaw-batch-cli-tests", Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;
    private string _url = null!;

    public async Task InitializeAsync()
    {
        Dictionary<string, string?> settings = RealModels.HostSettings();
        settings["Thaw:Jobs:Directory"] = Path.Combine(_directory, "jobs");
        settings["Thaw:Jobs:ChunkLines"] = "4";
        string catalog = TinyDecoderFolder.NewCatalog();
        TinyDecoderFolder.Write(catalog, Decoder, DecoderLayout.GroupQueryAttention, generation => generation["chatTemplate"] = "plain");
        settings["Thaw:Models:CatalogDirectory"] = catalog;
        _app = StandaloneHost.Build("http://127.0.0.1:0", settings);
        await _app.StartAsync();
        _url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task SubmitWaitDownload_RunsTheBatchAndWritesOutputAndErrorFiles()
    {
        string input = WriteInput(
            Line("a", "The first line."),
            "{not json",
            Line("b", "The second line."),
            Line("a", "A duplicate id."),
            Line("c", ""));

        (int refused, _, string refusedErrors) = await RunAsync("submit", input);
        (int submitted, string batchId, string submitErrors) = await RunAsync("submit", input, "--allow-bad-lines");
        batchId = batchId.Trim();
        (int waited, string waitOut, string progress) = await RunAsync("wait", batchId, "--interval", "0.05");
        (int downloaded, string files, string downloadErrors) = await RunAsync("download", batchId, "-o", Path.Combine(_directory, "results"));

        Assert.Equal(1, refused);
        Assert.Contains("Line 2:", refusedErrors);
        Assert.Contains("Line 4: custom_id 'a' was already used on line 1", refusedErrors);
        Assert.Contains("Line 5: body: 'input' must not be an empty string.", refusedErrors);
        Assert.Contains("Nothing was uploaded", refusedErrors);
        Assert.True(submitted == 0, submitErrors);
        Assert.StartsWith("batch_", batchId);
        Assert.Equal(0, waited);
        Assert.Contains($"{batchId} completed 5/5 (3 failed)", progress);
        Assert.Contains("requests        5 total, 2 completed, 3 failed", waitOut);
        Assert.True(downloaded == 0, downloadErrors);
        string[] output = File.ReadAllLines(Path.Combine(_directory, "results", $"{batchId}_output.jsonl"));
        string[] errors = File.ReadAllLines(Path.Combine(_directory, "results", $"{batchId}_errors.jsonl"));
        Assert.Equal(["a", "b"], output.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("custom_id").GetString()));
        Assert.Equal(3, errors.Length);
        Assert.Contains($"{batchId}_errors.jsonl", files);
    }

    [Fact]
    public async Task StatusLsAndCancel_ShowTheBatchAndRefuseToCancelAFinishedOne()
    {
        (_, string batchId, _) = await RunAsync("submit", WriteInput(Line("x", "Just one line.")));
        batchId = batchId.Trim();
        await RunAsync("wait", batchId, "--interval", "0.05");

        (int statusCode, string status, _) = await RunAsync("status", batchId);
        (int jsonCode, string json, _) = await RunAsync("status", batchId, "--json");
        (int lsCode, string ls, _) = await RunAsync("ls");
        (int cancelCode, _, string cancelErrors) = await RunAsync("cancel", batchId);
        (int missingCode, _, string missingErrors) = await RunAsync("status", "batch_nope");

        Assert.Equal((0, 0, 0), (statusCode, jsonCode, lsCode));
        Assert.Contains("status          completed", status);
        Assert.Equal("completed", JsonDocument.Parse(json).RootElement.GetProperty("status").GetString());
        Assert.Contains(batchId, ls);
        Assert.Equal(1, cancelCode);
        Assert.Contains("409", cancelErrors);
        Assert.Equal(1, missingCode);
        Assert.Contains("404", missingErrors);
    }

    [Fact]
    public async Task Help_ListsTheSubcommands()
    {
        (int exitCode, string stdout, _) = await Thaw.RunAsync(["batch", "--help"]);

        Assert.Equal(0, exitCode);
        foreach (string command in new[] { "submit", "status", "wait", "download", "ls", "cancel", "--url", "--api-key" })
        {
            Assert.Contains(command, stdout);
        }
    }

    [Fact]
    public async Task SubmitWaitDownload_ChatLines_AreCheckedForTheirEndpointAndRunThere()
    {
        string input = WriteInput(
            Chat("a", "Hello there."),
            Chat("b", "A stream.", stream: true),
            Line("c", "An embeddings line."),
            JsonSerializer.Serialize(new { custom_id = "d", method = "POST", url = ChatUrl, body = new { model = Decoder } }),
            Chat("e", "Goodbye."));

        (int refused, _, string refusedErrors) = await RunAsync("submit", input);
        (int submitted, string batchId, string submitErrors) = await RunAsync("submit", input, "--allow-bad-lines");
        batchId = batchId.Trim();
        (int waited, string waitOut, _) = await RunAsync("wait", batchId, "--interval", "0.05");
        (int downloaded, _, string downloadErrors) = await RunAsync("download", batchId, "-o", Path.Combine(_directory, "results"));

        Assert.Equal(1, refused);
        Assert.Contains("Line 2: body: 'stream' must be false or absent here", refusedErrors);
        Assert.Contains($"Line 3: url '/v1/embeddings' is not the batch's endpoint '{ChatUrl}'", refusedErrors);
        Assert.Contains("Line 4: body: 'messages' is required", refusedErrors);
        Assert.DoesNotContain("Line 1:", refusedErrors);
        Assert.DoesNotContain("Line 5:", refusedErrors);
        Assert.True(submitted == 0, submitErrors);
        Assert.Equal(0, waited);
        Assert.Contains($"endpoint        {ChatUrl}", waitOut);
        Assert.Contains("requests        5 total, 2 completed, 3 failed", waitOut);
        Assert.True(downloaded == 0, downloadErrors);
        string[] output = File.ReadAllLines(Path.Combine(_directory, "results", $"{batchId}_output.jsonl"));
        Assert.Equal(["a", "e"], output.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("custom_id").GetString()));
        Assert.All(output, l => Assert.Equal("chat.completion",
            JsonDocument.Parse(l).RootElement.GetProperty("response").GetProperty("body").GetProperty("object").GetString()));
    }

    [Fact]
    public async Task Ls_ServerDown_SaysSoAndFails()
    {
        (int exitCode, _, string stderr) = await Thaw.RunAsync(["batch", "ls", "--url", "http://127.0.0.1:1"]);

        Assert.Equal(1, exitCode);
        Assert.Contains("cannot reach http://127.0.0.1:1", stderr);
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) =>
        Thaw.RunAsync(["batch", .. args, "--url", _url]);

    private string WriteInput(params string[] lines)
    {
        Directory.CreateDirectory(_directory);
        string path = Path.Combine(_directory, $"{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    private static string Chat(string customId, string content, bool stream = false) => JsonSerializer.Serialize(new
    {
        custom_id = customId, method = "POST", url = ChatUrl,
        body = new { model = Decoder, messages = new[] { new { role = "user", content } }, max_tokens = 4, stream },
    });

    private static string Line(string customId, string input) =>
        JsonSerializer.Serialize(new { custom_id = customId, method = "POST", url = "/v1/embeddings", body = new { input } });
}
