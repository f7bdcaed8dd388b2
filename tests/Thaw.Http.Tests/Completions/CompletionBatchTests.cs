using System.ClientModel;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Batch;
using OpenAI.Files;
using Thaw.Http.Tests.Conformance;
using Thaw.Inference.Generation;
using Thaw.Inference.Generation.Scheduling;
using Thaw.Inference.Models;
using Thaw.Testing;

namespace Thaw.Http.Tests.Completions;

/// <summary>
/// Batch jobs of <c>/v1/chat/completions</c> and <c>/v1/completions</c> lines through the Files and Batch API with the
/// official SDK, on the tiny real decoder: each line answered as its route answers it, each bad line with the route's
/// error, lines sharing decode steps on the bulk profile, overload waited out, and a stopped batch resumed exactly once.
/// </summary>
public sealed class CompletionBatchTests
{
    private const int MaxTokens = 6;

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/v1/completions")]
    public async Task Batch_ThroughTheSdk_AnswersEachLineAsTheRouteDoesAndEachBadLineWithItsError(string endpoint)
    {
        await using LoopbackServer server = await StartAsync();
        string[] prompts = ["Once upon", "a", "The night shift generates quietly", "Batch", "zz top", "Thaw me out, please, slowly"];
        var lines = new List<(string Id, object Body)>();
        for (int i = 0; i < prompts.Length; i++)
        {
            lines.Add(($"good-{i}", Body(endpoint, CompletionServer.Chat, prompts[i])));
        }

        lines.Insert(1, ("streamed", Body(endpoint, CompletionServer.Chat, "a stream", stream: true)));
        lines.Insert(3, ("unknown-model", Body(endpoint, "no-such-model", "x")));
        lines.Insert(5, ("embedding-model", Body(endpoint, RealModels.MiniLm, "x")));
        lines.Add(("too-long", Body(endpoint, CompletionServer.Chat, new string('x', CompletionServer.ContextLength + 10))));
        OpenAIClient sdk = OpenAiClients.For(server.Client);

        string fileId = (await sdk.GetOpenAIFileClient().UploadFileAsync(
            BinaryData.FromString(string.Join('\n', lines.Select(l => BatchJobs.Line(l.Id, l.Body, endpoint)))), "input.jsonl", FileUploadPurpose.Batch)).Value.Id;
        CreateBatchOperation created = await sdk.GetBatchClient().CreateBatchAsync(
            BinaryContent.Create(BinaryData.FromObjectAsJson(new { input_file_id = fileId, endpoint, completion_window = "24h" })), waitUntilCompleted: false);
        JsonElement batch = await BatchJobs.WaitAsync(server.Client, created.BatchId);

        Assert.Equal("completed", batch.GetProperty("status").GetString());
        Assert.Equal(endpoint, batch.GetProperty("endpoint").GetString());
        JsonElement counts = batch.GetProperty("request_counts");
        Assert.Equal((10, 6, 4), (counts.GetProperty("total").GetInt32(), counts.GetProperty("completed").GetInt32(), counts.GetProperty("failed").GetInt32()));
        JsonElement[] output = await DownloadAsync(sdk, batch.GetProperty("output_file_id").GetString()!);
        Assert.Equal(prompts.Select((_, i) => $"good-{i}"), output.Select(l => l.GetProperty("custom_id").GetString()));
        for (int i = 0; i < prompts.Length; i++)
        {
            (HttpStatusCode status, JsonElement direct) = await PostAsync(server, endpoint, Body(endpoint, CompletionServer.Chat, prompts[i]));
            JsonElement response = output[i].GetProperty("response");
            Assert.Equal((HttpStatusCode.OK, 200), (status, response.GetProperty("status_code").GetInt32()));
            Assert.Equal(JsonValueKind.Null, output[i].GetProperty("error").ValueKind);
            Assert.StartsWith(endpoint == "/v1/completions" ? "cmpl-" : "chatcmpl-", response.GetProperty("body").GetProperty("id").GetString(), StringComparison.Ordinal);
            Assert.Equal(Comparable(direct), Comparable(response.GetProperty("body")));
        }

        JsonElement[] errors = await DownloadAsync(sdk, batch.GetProperty("error_file_id").GetString()!);
        Assert.Equal(["streamed", "unknown-model", "embedding-model", "too-long"], errors.Select(l => l.GetProperty("custom_id").GetString()));
        JsonElement streamed = errors[0].GetProperty("response");
        Assert.Equal(400, streamed.GetProperty("status_code").GetInt32());
        Assert.Equal("stream", streamed.GetProperty("body").GetProperty("error").GetProperty("param").GetString());
        foreach ((JsonElement line, (string Id, object Body) input) in errors.Skip(1).Zip(lines.Where(l => l.Id is "unknown-model" or "embedding-model" or "too-long")))
        {
            // The error file holds the route's answer: its status and envelope, word for word.
            (HttpStatusCode status, JsonElement direct) = await PostAsync(server, endpoint, input.Body);
            JsonElement response = line.GetProperty("response");
            Assert.Equal((int)status, response.GetProperty("status_code").GetInt32());
            Assert.Equal(direct.GetRawText(), response.GetProperty("body").GetRawText());
        }

        Assert.Equal([404, 400, 400], errors.Skip(1).Select(l => l.GetProperty("response").GetProperty("status_code").GetInt32()));
        Assert.Equal(["model_not_found", "model_not_supported", "context_length_exceeded"],
            errors.Skip(1).Select(l => l.GetProperty("response").GetProperty("body").GetProperty("error").GetProperty("code").GetString()));
    }

    [Fact]
    public async Task Batch_LinesOfAPiece_ShareDecodeSteps()
    {
        await using LoopbackServer server = await StartAsync(new() { ["Thaw:Jobs:ChunkLines"] = "1000" });

        JsonElement batch = await BatchJobs.WaitAsync(server.Client, await SubmitAsync(server, GreedyLines(24), "/v1/completions"));

        Assert.Equal(24, batch.GetProperty("request_counts").GetProperty("completed").GetInt32());
        SchedulerStatistics statistics = await StatisticsAsync(server);
        Assert.Equal(24 * MaxTokens, statistics.GeneratedTokens);
        double perStep = (double)statistics.GeneratedTokens / statistics.Steps;
        Assert.True(perStep > 2, $"{statistics.GeneratedTokens} tokens in {statistics.Steps} steps on 4 slots: the lines did not share decode steps");
    }

    [Fact]
    public async Task Batch_MoreLinesThanTheBulkQueueTakes_WaitsOutTheOverloadAndAnswersEveryLine()
    {
        // Four slots and one queued request: most of a piece of 24 lines is refused as overloaded at first.
        await using LoopbackServer server = await StartAsync(new()
        {
            ["Thaw:Generation:Bulk:MaxQueuedRequests"] = "1",
            ["Thaw:Generation:Bulk:OverloadRetryAfter"] = "00:00:00.050",
            ["Thaw:Jobs:ChunkLines"] = "1000",
        });

        JsonElement batch = await BatchJobs.WaitAsync(server.Client, await SubmitAsync(server, GreedyLines(24), "/v1/completions"));

        Assert.Equal("completed", batch.GetProperty("status").GetString());
        Assert.Equal(24, batch.GetProperty("request_counts").GetProperty("completed").GetInt32());
        Assert.Equal(JsonValueKind.Null, batch.GetProperty("error_file_id").ValueKind);
        SchedulerStatistics statistics = await StatisticsAsync(server);
        Assert.True(statistics.Rejected > 0, "the bulk queue never refused a line: the test did not reach the overload");
        Assert.Equal(24 * MaxTokens, statistics.GeneratedTokens);
    }

    [Fact]
    public async Task Batch_LineWithMoreChoicesThanTheModelCanEverHold_FailsThatLineWithABadN_AndTheBatchCompletes()
    {
        // Four slots and one queued request: n = 6 can never all start, so waiting out an overload would never end.
        await using LoopbackServer server = await StartAsync(new()
        {
            ["Thaw:Generation:Bulk:MaxQueuedRequests"] = "1",
            ["Thaw:Generation:Bulk:OverloadRetryAfter"] = "00:00:00.050",
        });
        string lines = string.Join('\n',
            BatchJobs.Line("wide", new { model = CompletionServer.Chat, prompt = "many", max_tokens = MaxTokens, n = 6 }, "/v1/completions"),
            BatchJobs.Line("fits", new { model = CompletionServer.Chat, prompt = "few", max_tokens = MaxTokens, n = 5 }, "/v1/completions"));

        JsonElement batch = await BatchJobs.WaitAsync(server.Client, await SubmitAsync(server, lines, "/v1/completions"));

        Assert.Equal("completed", batch.GetProperty("status").GetString());
        Assert.Equal((1, 1), (batch.GetProperty("request_counts").GetProperty("completed").GetInt32(), batch.GetProperty("request_counts").GetProperty("failed").GetInt32()));
        JsonElement failed = Assert.Single(await BatchJobs.DownloadLinesAsync(server.Client, batch.GetProperty("error_file_id").GetString()!));
        Assert.Equal("wide", failed.GetProperty("custom_id").GetString());
        Assert.Equal(400, failed.GetProperty("response").GetProperty("status_code").GetInt32());
        JsonElement error = failed.GetProperty("response").GetProperty("body").GetProperty("error");
        Assert.Equal("n", error.GetProperty("param").GetString());
        Assert.Contains("at most 5 sequences", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_ResumesAStoppedCompletionsBatch_RunningOnlyTheLinesNotWritten()
    {
        // Two of three chunks written, as a killed process leaves them: the next server runs the last four lines only.
        string directory = Path.Combine(Path.GetTempPath(), "thaw-jobs-tests", Guid.NewGuid().ToString("N"));
        string[] lines = [.. Enumerable.Range(0, 12).Select(i => BatchJobs.Line($"k{i}", new
        {
            model = CompletionServer.Chat, prompt = $"restart {i}", max_tokens = MaxTokens, logit_bias = CompletionServer.NoEndOfTextBias,
        }, "/v1/completions"))];
        string batchId = await BatchJobs.SeedStoppedBatchAsync(directory, "/v1/completions", lines, chunks: 2);

        await using LoopbackServer server = await StartAsync(new() { ["Thaw:Jobs:Directory"] = directory });
        JsonElement batch = await BatchJobs.WaitAsync(server.Client, batchId);

        Assert.Equal("completed", batch.GetProperty("status").GetString());
        JsonElement[] output = await BatchJobs.DownloadLinesAsync(server.Client, batch.GetProperty("output_file_id").GetString()!);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"k{i}"), output.Select(l => l.GetProperty("custom_id").GetString()));
        Assert.All(output.Take(8), l => Assert.False(l.GetProperty("response").TryGetProperty("body", out _)));
        Assert.All(output.Skip(8), l => Assert.Equal("text_completion", l.GetProperty("response").GetProperty("body").GetProperty("object").GetString()));
        Assert.Equal(4 * MaxTokens, (await StatisticsAsync(server)).GeneratedTokens);
    }

    /// <summary><paramref name="count"/> completions lines that each run to <see cref="MaxTokens"/>.</summary>
    private static string GreedyLines(int count) => string.Join('\n', Enumerable.Range(0, count).Select(i => BatchJobs.Line($"r{i}", new
    {
        model = CompletionServer.Chat, prompt = $"line {i}", max_tokens = MaxTokens, temperature = 0, logit_bias = CompletionServer.NoEndOfTextBias,
    }, "/v1/completions")));

    private static Task<LoopbackServer> StartAsync(Dictionary<string, string?>? settings = null) =>
        CompletionServer.StartAsync(BatchJobs.Settings(settings), jobListener: true);

    private static object Body(string endpoint, string model, string prompt, bool stream = false) => endpoint == "/v1/completions"
        ? new { model, prompt, max_tokens = MaxTokens, temperature = 0, stream }
        : new { model, messages = new[] { new { role = "user", content = prompt } }, max_tokens = MaxTokens, temperature = 0, stream };

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(LoopbackServer server, string endpoint, object body)
    {
        using HttpResponseMessage response = await server.Client.PostAsync(endpoint, CompletionServer.Json(JsonSerializer.Serialize(body)));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static async Task<string> SubmitAsync(LoopbackServer server, string content, string endpoint)
    {
        using HttpResponseMessage created = await BatchJobs.CreateAsync(server.Client, await BatchJobs.UploadFileIdAsync(server.Client, content), endpoint);
        string body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement[]> DownloadAsync(OpenAIClient sdk, string fileId)
    {
        BinaryData content = (await sdk.GetOpenAIFileClient().DownloadFileAsync(fileId)).Value;
        return [.. content.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    /// <summary>An answer without what differs between two answers to one request: its id and creation time.</summary>
    private static string Comparable(JsonElement answer)
    {
        JsonObject node = JsonNode.Parse(answer.GetRawText())!.AsObject();
        node.Remove("id");
        node.Remove("created");
        return node.ToJsonString();
    }

    private static Task<SchedulerStatistics> StatisticsAsync(LoopbackServer server) =>
        server.App.Services.GetRequiredService<ModelHost>().UseAsync<TextGenerationModel, SchedulerStatistics>(
            CompletionServer.Chat, isRequest: false, (model, _) => Task.FromResult(model.Scheduler.Statistics));
}
