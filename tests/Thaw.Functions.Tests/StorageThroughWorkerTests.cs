using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Thaw.Functions.Tests.FunctionsHost;

namespace Thaw.Functions.Tests;

/// <summary>
/// The Files and Batch API and the queue triggers through the protocol, on Azurite. The queue triggers are invoked with real Azurite messages as the host delivers them
/// (<see cref="FakeFunctionsHost.DeliverQueueMessageAsync"/>), from the queue each trigger names: the messages the
/// app itself enqueued (a batch) and the ones a client sends (a queued request). The host's retries and poison
/// handling are not performed by the fake; the app's own moves to a poison queue are.
/// </summary>
public sealed class StorageThroughWorkerTests(FunctionsStorageFixture fixture) : IClassFixture<FunctionsStorageFixture>
{
    private static readonly QueueClientOptions Base64 = new() { MessageEncoding = QueueMessageEncoding.Base64 };

    [Fact]
    public async Task BatchJobs_MessageThatIsNotAJob_IsMovedToThePoisonQueueAndTheInvocationSucceeds()
    {
        QueueClient queue = Queue("thaw-jobs");
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("not a job");

        InvocationResponse response = await fixture.Host.DeliverQueueMessageAsync("BatchJobs", fixture.Azurite.ConnectionString);

        Assert.True(response.Result.Status == StatusResult.Types.Status.Success, response.Result.Exception?.Message);
        QueueMessage[] poisoned = (await Queue("thaw-jobs-poison").ReceiveMessagesAsync(maxMessages: 10)).Value;
        Assert.Equal(["not a job"], poisoned.Select(m => m.MessageText));
        await Queue("thaw-jobs-poison").ClearMessagesAsync();
    }

    [Fact]
    public async Task FilesAndBatches_UploadCreateDeliverTheEnqueuedJob_OutputHasOneEmbeddingPerLine()
    {
        using HttpClient client = fixture.Host.CreateClient();
        string[] inputs = ["first line", "second line", "third line"];
        string jsonl = string.Join('\n', inputs.Select((text, i) => JsonSerializer.Serialize(new
        {
            custom_id = $"line-{i}",
            method = "POST",
            url = "/v1/embeddings",
            body = new { input = text },
        })));

        string fileId = (await JsonAsync(await UploadAsync(client, jsonl))).GetProperty("id").GetString()!;
        JsonElement described = await JsonAsync(await client.GetAsync(new Uri($"/v1/files/{fileId}", UriKind.Relative)));
        JsonElement files = await JsonAsync(await client.GetAsync(new Uri("/v1/files", UriKind.Relative)));
        string batchId = await CreateBatchAsync(client, fileId);
        JsonElement batches = await JsonAsync(await client.GetAsync(new Uri("/v1/batches", UriKind.Relative)));
        // The message the app enqueued, from the queue the BatchJobs trigger names, as the host would deliver it.
        InvocationResponse job = await fixture.Host.DeliverQueueMessageAsync("BatchJobs", fixture.Azurite.ConnectionString);
        JsonElement batch = await JsonAsync(await client.GetAsync(new Uri($"/v1/batches/{batchId}", UriKind.Relative)));
        string output = await client.GetStringAsync(new Uri($"/v1/files/{batch.GetProperty("output_file_id").GetString()}/content", UriKind.Relative));

        Assert.Equal("input.jsonl", described.GetProperty("filename").GetString());
        Assert.Contains(fileId, files.GetProperty("data").EnumerateArray().Select(f => f.GetProperty("id").GetString()));
        Assert.Contains(batchId, batches.GetProperty("data").EnumerateArray().Select(b => b.GetProperty("id").GetString()));
        Assert.True(job.Result.Status == StatusResult.Types.Status.Success, job.Result.Exception?.Message);
        Assert.Equal("completed", batch.GetProperty("status").GetString());
        Assert.Equal(3, batch.GetProperty("request_counts").GetProperty("completed").GetInt32());
        JsonElement[] lines = [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];
        Assert.Equal(["line-0", "line-1", "line-2"], lines.Select(l => l.GetProperty("custom_id").GetString()).Order());
        foreach (JsonElement line in lines)
        {
            JsonElement response = line.GetProperty("response");
            Assert.Equal(200, response.GetProperty("status_code").GetInt32());
            string input = inputs[int.Parse(line.GetProperty("custom_id").GetString()!["line-".Length..], System.Globalization.CultureInfo.InvariantCulture)];
            Assert.All(Vector(response.GetProperty("body")).Zip(await EmbedAsync(client, input)), pair => Assert.Equal(pair.Second, pair.First, 1e-6f));
        }
    }

    [Fact]
    public async Task FilesUpload_LargerThanKestrelsDefaultBodyLimit_IsStored()
    {
        // Over the 30,000,000 bytes that Kestrel accepts by default, within Thaw:Jobs:MaxFileBytes (200 MiB) and the
        // Functions host's own 100 MB: the worker's own endpoint must not be the smaller limit.
        string line = JsonSerializer.Serialize(new { custom_id = "x", method = "POST", url = "/v1/embeddings", body = new { input = new string('a', 1000) } });
        string jsonl = string.Join('\n', Enumerable.Repeat(line, (31_000_000 / line.Length) + 1));
        using HttpClient client = fixture.Host.CreateClient();

        JsonElement uploaded = await JsonAsync(await UploadAsync(client, jsonl));

        Assert.Equal(Encoding.UTF8.GetByteCount(jsonl), uploaded.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task FilesDelete_AnUploadedFile_IsDeletedThenNotFound()
    {
        using HttpClient client = fixture.Host.CreateClient();
        string fileId = (await JsonAsync(await UploadAsync(client, JsonSerializer.Serialize(new { custom_id = "d", method = "POST", url = "/v1/embeddings", body = new { input = "deleted" } })))).GetProperty("id").GetString()!;

        JsonElement deleted = await JsonAsync(await client.DeleteAsync(new Uri($"/v1/files/{fileId}", UriKind.Relative)));
        using HttpResponseMessage gone = await client.GetAsync(new Uri($"/v1/files/{fileId}", UriKind.Relative));

        Assert.Equal((fileId, "file", true), (deleted.GetProperty("id").GetString(), deleted.GetProperty("object").GetString(), deleted.GetProperty("deleted").GetBoolean()));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task BatchesCancel_BeforeItsJobRuns_TheSweepTimerEndsItCancelledAndItsMessageCompletes()
    {
        using HttpClient client = fixture.Host.CreateClient();
        string fileId = (await JsonAsync(await UploadAsync(client, JsonSerializer.Serialize(new { custom_id = "only", method = "POST", url = "/v1/embeddings", body = new { input = "never run" } })))).GetProperty("id").GetString()!;
        string batchId = await CreateBatchAsync(client, fileId);

        JsonElement cancelling = await JsonAsync(await client.PostAsync(new Uri($"/v1/batches/{batchId}/cancel", UriKind.Relative), content: null));
        InvocationResponse sweep = await fixture.Host.InvokeTimerAsync("BatchSweep");
        JsonElement swept = await JsonAsync(await client.GetAsync(new Uri($"/v1/batches/{batchId}", UriKind.Relative)));
        // The job message the app enqueued at create still comes: it finds the batch ended and completes.
        InvocationResponse job = await fixture.Host.DeliverQueueMessageAsync("BatchJobs", fixture.Azurite.ConnectionString);
        JsonElement after = await JsonAsync(await client.GetAsync(new Uri($"/v1/batches/{batchId}", UriKind.Relative)));

        Assert.Equal("cancelling", cancelling.GetProperty("status").GetString());
        Assert.True(sweep.Result.Status == StatusResult.Types.Status.Success, sweep.Result.Exception?.Message);
        Assert.Equal("cancelled", swept.GetProperty("status").GetString());
        Assert.True(job.Result.Status == StatusResult.Types.Status.Success, job.Result.Exception?.Message);
        Assert.Equal("cancelled", after.GetProperty("status").GetString());
        Assert.Equal(0, after.GetProperty("request_counts").GetProperty("completed").GetInt32());
    }

    [Fact]
    public async Task QueuedRequests_RequestWithAReplyQueue_RepliesTheRouteAnswerAtTheQueue()
    {
        using HttpClient client = fixture.Host.CreateClient();
        QueueClient requests = Queue("thaw-requests");
        await requests.CreateIfNotExistsAsync();
        await Queue(FunctionsStorageFixture.ReplyQueue).CreateIfNotExistsAsync();
        await requests.SendMessageAsync(JsonSerializer.Serialize(new { id = "req-1", body = new { input = "queued hello" }, reply_to = new { queue = FunctionsStorageFixture.ReplyQueue } }));

        InvocationResponse response = await fixture.Host.DeliverQueueMessageAsync("QueuedRequests", fixture.Azurite.ConnectionString);

        Assert.True(response.Result.Status == StatusResult.Types.Status.Success, response.Result.Exception?.Message);
        QueueMessage reply = Assert.Single((await Queue(FunctionsStorageFixture.ReplyQueue).ReceiveMessagesAsync(maxMessages: 10)).Value);
        using JsonDocument answer = JsonDocument.Parse(reply.MessageText);
        Assert.Equal("req-1", answer.RootElement.GetProperty("id").GetString());
        Assert.Equal(200, answer.RootElement.GetProperty("status_code").GetInt32());
        Assert.All(Vector(answer.RootElement.GetProperty("body")).Zip(await EmbedAsync(client, "queued hello")), pair => Assert.Equal(pair.Second, pair.First, 1e-6f));
    }

    /// <summary>A batch input file, uploaded as multipart form data through the forwarded request.</summary>
    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string jsonl)
    {
        using var form = new MultipartFormDataContent { { new StringContent("batch"), "purpose" } };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(jsonl));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/jsonl");
        form.Add(file, "file", "input.jsonl");
        return await client.PostAsync(new Uri("/v1/files", UriKind.Relative), form);
    }

    private static async Task<string> CreateBatchAsync(HttpClient client, string fileId) =>
        (await JsonAsync(await client.PostAsync(new Uri("/v1/batches", UriKind.Relative), Json(JsonSerializer.Serialize(new
        {
            input_file_id = fileId,
            endpoint = "/v1/embeddings",
            completion_window = "24h",
        }))))).GetProperty("id").GetString()!;

    private QueueClient Queue(string name) => new(fixture.Azurite.ConnectionString, name, Base64);

    private static async Task<float[]> EmbedAsync(HttpClient client, string input) =>
        Vector(await JsonAsync(await client.PostAsync(new Uri("/v1/embeddings", UriKind.Relative), Json(JsonSerializer.Serialize(new { input })))));

    private static float[] Vector(JsonElement embeddings) =>
        [.. embeddings.GetProperty("data").EnumerateArray().Single().GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle())];

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using (response)
        {
            string body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {response.ReasonPhrase}: {body}");
            return JsonDocument.Parse(body).RootElement.Clone();
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
