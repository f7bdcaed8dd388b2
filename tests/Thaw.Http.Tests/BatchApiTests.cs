using System.Net.Http.Json;
using Thaw.Inference.Embeddings;
using Thaw.Inference.Jobs;
using Thaw.Inference.Jobs.Local;
using Thaw.Inference.Models;
using Thaw.Testing;

namespace Thaw.Http.Tests;

/// <summary>The Files and Batch API end to end on the embedded defaults (local disk, in-process queue) with the real model.</summary>
public sealed class BatchApiTests
{
    [Fact]
    public async Task Batch_AnswersEveryGoodLineLikePostEmbeddingsAndReportsEveryBadLine()
    {
        await using LoopbackServer server = await BatchJobs.StartServerAsync();
        string[] texts = Enumerable.Range(0, 9).Select(i => $"Batch line {i}: the night shift embeds quietly.").ToArray();
        var lines = new List<string>();
        for (int i = 0; i < texts.Length; i++)
        {
            lines.Add(BatchJobs.Line($"good-{i}", i % 3 == 0 ? new { input = new[] { texts[i] } } : new { input = (object)texts[i] }));
        }

        lines.Insert(2, "this is not json");
        lines.Insert(4, JsonSerializer.Serialize(new { method = "POST", url = "/v1/embeddings", body = new { input = "no id" } }));
        lines.Insert(6, BatchJobs.Line("good-1", new { input = "a duplicate id" }));
        lines.Insert(8, BatchJobs.Line("wrong-url", new { input = "x" }, "/v1/chat/completions"));
        lines.Add(BatchJobs.Line("empty-input", new { input = "" }));
        lines.Add(BatchJobs.Line("unknown-model", new { input = "x", model = "no-such-model" }));
        lines.Add("");

        string batchId = await BatchJobs.SubmitAsync(server.Client, string.Join('\n', lines));
        JsonElement batch = await BatchJobs.WaitAsync(server.Client, batchId);

        Assert.Equal("completed", batch.GetProperty("status").GetString());
        JsonElement counts = batch.GetProperty("request_counts");
        Assert.Equal((15, 9, 6), (counts.GetProperty("total").GetInt32(), counts.GetProperty("completed").GetInt32(), counts.GetProperty("failed").GetInt32()));
        Assert.Equal("batch", batch.GetProperty("object").GetString());
        Assert.NotEqual(JsonValueKind.Null, batch.GetProperty("completed_at").ValueKind);

        JsonElement[] output = await BatchJobs.DownloadLinesAsync(server.Client, batch.GetProperty("output_file_id").GetString()!);
        Assert.Equal(texts.Select((_, i) => $"good-{i}"), output.Select(l => l.GetProperty("custom_id").GetString()));
        Assert.Equal(output.Length, output.Select(l => l.GetProperty("id").GetString()).Distinct().Count());
        JsonElement[] expected = await Task.WhenAll(texts.Select(async text =>
        {
            using HttpResponseMessage direct = await server.Client.PostAsJsonAsync("/v1/embeddings", new { input = text });
            return JsonDocument.Parse(await direct.Content.ReadAsStringAsync()).RootElement.GetProperty("data")[0];
        }));
        for (int i = 0; i < texts.Length; i++)
        {
            JsonElement response = output[i].GetProperty("response");
            Assert.Equal(200, response.GetProperty("status_code").GetInt32());
            Assert.Equal(JsonValueKind.Null, output[i].GetProperty("error").ValueKind);
            float[] got = Vector(response.GetProperty("body").GetProperty("data")[0]);
            float[] want = Vector(expected[i]);
            Assert.Equal(want.Length, got.Length);
            Assert.All(want.Zip(got), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5, $"{p.First} vs {p.Second}"));
        }

        JsonElement[] errors = await BatchJobs.DownloadLinesAsync(server.Client, batch.GetProperty("error_file_id").GetString()!);
        Assert.Equal(6, errors.Length);
        string Reason(JsonElement line) => line.GetProperty("error").ValueKind == JsonValueKind.Object
            ? line.GetProperty("error").GetProperty("code").GetString()!
            : line.GetProperty("response").GetProperty("body").GetProperty("error").GetProperty("code").GetString()!;
        Assert.Equal(["invalid_json", "missing_custom_id", "duplicate_custom_id", "invalid_url", "invalid_value", "model_not_found"], errors.Select(Reason));
        Assert.Contains("Line 3", errors[0].GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(400, errors[4].GetProperty("response").GetProperty("status_code").GetInt32());
        Assert.Equal(404, errors[5].GetProperty("response").GetProperty("status_code").GetInt32());
    }

    [Fact]
    public async Task BulkJob_FillsTheModelsBatches()
    {
        await using LoopbackServer server = await BatchJobs.StartServerAsync(new() { ["Thaw:Jobs:ChunkLines"] = "1000" });
        ModelHost models = server.App.Services.GetRequiredService<ModelHost>();
        await models.LoadAsync(RealModels.MiniLm);
        string content = string.Join('\n', Enumerable.Range(0, 200).Select(i => BatchJobs.Line($"r{i}", new { input = $"short input number {i}" })));

        JsonElement batch = await BatchJobs.WaitAsync(server.Client, await BatchJobs.SubmitAsync(server.Client, content));

        Assert.Equal("completed", batch.GetProperty("status").GetString());
        Thaw.Inference.Batching.BatchStatistics bulk = ((EmbeddingActivity)models.GetStatus(RealModels.MiniLm).Activity!).Bulk;
        Assert.Equal(200, bulk.Inputs);
        Console.WriteLine($"bulk job of 200 short inputs: {bulk.Batches} batches, mean batch size {bulk.MeanBatchSize:0.0}");
        Assert.True(bulk.MeanBatchSize > 8, $"mean batch size {bulk.MeanBatchSize:0.0} over {bulk.Batches} batches");
    }

    [Fact]
    public async Task Files_RefuseWrongPurposeOversizeAndUnknownIds()
    {
        await using LoopbackServer server = await BatchJobs.StartServerAsync(new() { ["Thaw:Jobs:MaxFileBytes"] = "1000" });

        using HttpResponseMessage wrongPurpose = await BatchJobs.UploadAsync(server.Client, BatchJobs.Line("a", new { input = "x" }), "fine-tune");
        using HttpResponseMessage tooLarge = await BatchJobs.UploadAsync(server.Client, new string('x', 5000));
        using HttpResponseMessage unknown = await server.Client.GetAsync("/v1/files/file-nope");
        using HttpResponseMessage unknownContent = await server.Client.GetAsync("/v1/files/file-nope/content");
        using HttpResponseMessage notMultipart = await server.Client.PostAsync("/v1/files", new StringContent("{}", Encoding.UTF8, "application/json"));

        await AssertErrorAsync(wrongPurpose, HttpStatusCode.BadRequest, "purpose");
        await AssertErrorAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge, "file");
        await AssertErrorAsync(unknown, HttpStatusCode.NotFound, "file_id");
        await AssertErrorAsync(unknownContent, HttpStatusCode.NotFound, "file_id");
        await AssertErrorAsync(notMultipart, HttpStatusCode.BadRequest, null);
        JsonElement files = JsonDocument.Parse(await server.Client.GetStringAsync("/v1/files")).RootElement;
        Assert.Equal(0, files.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Batches_RefuseBadCreatesAndUnknownIds()
    {
        await using LoopbackServer server = await BatchJobs.StartServerAsync();
        string fileId = await BatchJobs.UploadFileIdAsync(server.Client, BatchJobs.Line("a", new { input = "x" }));

        using HttpResponseMessage unknownFile = await BatchJobs.CreateAsync(server.Client, "file-nope");
        using HttpResponseMessage wrongEndpoint = await BatchJobs.CreateAsync(server.Client, fileId, "/v1/chat/completions");
        using HttpResponseMessage wrongWindow = await BatchJobs.CreateAsync(server.Client, fileId, window: "1h");
        using HttpResponseMessage unknownBatch = await server.Client.GetAsync("/v1/batches/batch_nope");
        using HttpResponseMessage cancelUnknown = await server.Client.PostAsync("/v1/batches/batch_nope/cancel", null);
        using HttpResponseMessage badLimit = await server.Client.GetAsync("/v1/batches?limit=0");

        await AssertErrorAsync(unknownFile, HttpStatusCode.NotFound, "input_file_id");
        await AssertErrorAsync(wrongEndpoint, HttpStatusCode.BadRequest, "endpoint");
        await AssertErrorAsync(wrongWindow, HttpStatusCode.BadRequest, "completion_window");
        await AssertErrorAsync(unknownBatch, HttpStatusCode.NotFound, "batch_id");
        await AssertErrorAsync(cancelUnknown, HttpStatusCode.NotFound, "batch_id");
        await AssertErrorAsync(badLimit, HttpStatusCode.BadRequest, "limit");
    }

    [Fact]
    public async Task Batches_ListNewestFirstWithCursorsAndCancelAFinishedOneIsAConflict()
    {
        await using LoopbackServer server = await BatchJobs.StartServerAsync();
        string content = BatchJobs.Line("a", new { input = "x" });
        string first = await BatchJobs.SubmitAsync(server.Client, content);
        string second = await BatchJobs.SubmitAsync(server.Client, content);
        await BatchJobs.WaitAsync(server.Client, first);
        await BatchJobs.WaitAsync(server.Client, second);

        JsonElement page = JsonDocument.Parse(await server.Client.GetStringAsync("/v1/batches?limit=1")).RootElement;
        JsonElement next = JsonDocument.Parse(await server.Client.GetStringAsync($"/v1/batches?limit=1&after={second}")).RootElement;
        using HttpResponseMessage cancel = await server.Client.PostAsync($"/v1/batches/{first}/cancel", null);

        Assert.Equal(second, page.GetProperty("data")[0].GetProperty("id").GetString());
        Assert.True(page.GetProperty("has_more").GetBoolean());
        Assert.Equal(second, page.GetProperty("last_id").GetString());
        Assert.Equal(first, next.GetProperty("data")[0].GetProperty("id").GetString());
        Assert.False(next.GetProperty("has_more").GetBoolean());
        await AssertErrorAsync(cancel, HttpStatusCode.Conflict, "batch_id");
        // The JavaScript SDK retries a 409 unless told not to: cancelling an ended batch never succeeds.
        Assert.Equal("false", Assert.Single(cancel.Headers.GetValues("x-should-retry")));
    }

    [Fact]
    public async Task Cancel_WhileQueuedOrRunning_StopsWithPartialResultsThatMatchTheCounts()
    {
        await using LoopbackServer server = await BatchJobs.StartServerAsync();
        string content = string.Join('\n', Enumerable.Range(0, 400).Select(i => BatchJobs.Line($"c{i}", new { input = $"line {i}" })));
        string batchId = await BatchJobs.SubmitAsync(server.Client, content);

        using HttpResponseMessage cancel = await server.Client.PostAsync($"/v1/batches/{batchId}/cancel", null);
        JsonElement batch = await BatchJobs.WaitAsync(server.Client, batchId);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("cancelled", batch.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, batch.GetProperty("cancelling_at").ValueKind);
        int completed = batch.GetProperty("request_counts").GetProperty("completed").GetInt32();
        Assert.True(completed < 400, $"{completed} lines ran despite the cancel");
        JsonElement[] output = await BatchJobs.DownloadLinesAsync(server.Client, batch.GetProperty("output_file_id").GetString()!);
        Assert.Equal(completed, output.Length);
    }

    [Fact]
    public async Task Restart_QueuesUnfinishedBatchesAgainAndResumesThem()
    {
        // The in-process queue dies with its process; the batches on disk do not. A batch stopped mid-way (two chunks
        // written, as a killed process leaves it) is picked up by the next server on the same directory.
        string directory = Path.Combine(Path.GetTempPath(), "thaw-jobs-tests", Guid.NewGuid().ToString("N"));
        var files = new LocalFileStore(Path.Combine(directory, "files"), TimeProvider.System);
        var batches = new LocalBatchStore(Path.Combine(directory, "batches"));
        var output = new LocalBatchOutput(Path.Combine(directory, "output"), files, new JobsOptions().OutputRetention);
        string content = string.Join('\n', Enumerable.Range(0, 10).Select(i => BatchJobs.Line($"k{i}", new { input = $"restart line {i}" })));
        FileRecord input = await files.PutAsync(new FileUpload("in.jsonl", FilePurposes.Batch, long.MaxValue), new MemoryStream(Encoding.UTF8.GetBytes(content)));
        string batchId = JobIds.NewBatchId(TimeProvider.System);
        await batches.CreateAsync(new BatchRecord
        {
            Id = batchId, Endpoint = "/v1/embeddings", InputFileId = input.Id, CompletionWindow = "24h",
            CreatedAt = 1, ExpiresAt = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(), Status = BatchStatus.InProgress,
        });
        for (int k = 0; k < 2; k++)
        {
            string chunk = string.Concat(Enumerable.Range(k * 4, 4).Select(i => $"{{\"id\":\"{JobIds.RequestId(batchId, i)}\",\"custom_id\":\"k{i}\",\"response\":{{\"status_code\":200}},\"error\":null}}\n"));
            await output.WriteChunkAsync(batchId, new BatchChunk(k * 4, 4, 4, 0), Encoding.UTF8.GetBytes(chunk), ReadOnlyMemory<byte>.Empty);
        }

        await using LoopbackServer server = await BatchJobs.StartServerAsync(new() { ["Thaw:Jobs:Directory"] = directory });
        JsonElement batch = await BatchJobs.WaitAsync(server.Client, batchId);

        Assert.Equal("completed", batch.GetProperty("status").GetString());
        JsonElement[] lines = await BatchJobs.DownloadLinesAsync(server.Client, batch.GetProperty("output_file_id").GetString()!);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"k{i}"), lines.Select(l => l.GetProperty("custom_id").GetString()));
        Assert.Equal(2, ((EmbeddingActivity)server.App.Services.GetRequiredService<ModelHost>().GetStatus(RealModels.MiniLm).Activity!).Bulk.Inputs);
    }

    private static float[] Vector(JsonElement item) =>
        item.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string? param)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {body}");
        JsonElement error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.Equal(param, error.GetProperty("param").GetString());
    }
}
