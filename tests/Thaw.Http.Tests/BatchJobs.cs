using System.Net.Http.Headers;
using Thaw.Inference.Jobs;
using Thaw.Inference.Jobs.Local;
using Thaw.Testing;

namespace Thaw.Http.Tests;

/// <summary>An OpenAI-style client flow over real HTTP: upload, create, poll, download.</summary>
internal static class BatchJobs
{
    /// <summary>A server that runs batch jobs (listener on the in-process queue), with its own jobs directory.</summary>
    public static Task<LoopbackServer> StartServerAsync(Dictionary<string, string?>? settings = null, Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null) =>
        ThawApiServer.StartAsync(Settings(settings), jobListener: true, configure: configure);

    /// <summary>A fresh jobs directory and chunks of 4 lines, then <paramref name="settings"/>.</summary>
    public static Dictionary<string, string?> Settings(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Thaw:Jobs:Directory"] = Path.Combine(Path.GetTempPath(), "thaw-jobs-tests", Guid.NewGuid().ToString("N")),
            ["Thaw:Jobs:ChunkLines"] = "4",
        };
        foreach ((string key, string? value) in settings ?? [])
        {
            all[key] = value;
        }

        return all;
    }

    /// <summary>
    /// A batch of <paramref name="lines"/> for <paramref name="endpoint"/> stored in <paramref name="directory"/> as a
    /// killed process leaves it: in progress, its first <paramref name="chunks"/> chunks of 4 lines written (each
    /// written line a stub answer no model made), no message queued for it. Returns the batch id.
    /// </summary>
    public static async Task<string> SeedStoppedBatchAsync(string directory, string endpoint, IReadOnlyList<string> lines, int chunks)
    {
        var files = new LocalFileStore(Path.Combine(directory, "files"), TimeProvider.System);
        var batches = new LocalBatchStore(Path.Combine(directory, "batches"));
        var output = new LocalBatchOutput(Path.Combine(directory, "output"), files, new JobsOptions().OutputRetention);
        FileRecord input = await files.PutAsync(new FileUpload("in.jsonl", FilePurposes.Batch, long.MaxValue), new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines))));
        string batchId = JobIds.NewBatchId(TimeProvider.System);
        await batches.CreateAsync(new BatchRecord
        {
            Id = batchId, Endpoint = endpoint, InputFileId = input.Id, CompletionWindow = "24h",
            CreatedAt = 1, ExpiresAt = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(), Status = BatchStatus.InProgress,
        });
        for (int k = 0; k < chunks; k++)
        {
            string chunk = string.Concat(Enumerable.Range(k * 4, 4).Select(i =>
                $"{{\"id\":\"{JobIds.RequestId(batchId, i)}\",\"custom_id\":\"{CustomId(lines[i])}\",\"response\":{{\"status_code\":200}},\"error\":null}}\n"));
            await output.WriteChunkAsync(batchId, new BatchChunk(k * 4, 4, 4, 0), Encoding.UTF8.GetBytes(chunk), ReadOnlyMemory<byte>.Empty);
        }

        return batchId;
    }

    private static string CustomId(string line) => JsonDocument.Parse(line).RootElement.GetProperty("custom_id").GetString()!;

    public static string Line(string customId, object body, string url = "/v1/embeddings") =>
        JsonSerializer.Serialize(new { custom_id = customId, method = "POST", url, body });

    public static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string content, string purpose = "batch")
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent(purpose), "purpose" },
        };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/jsonl");
        form.Add(file, "file", "input.jsonl");
        return await client.PostAsync("/v1/files", form);
    }

    public static async Task<string> UploadFileIdAsync(HttpClient client, string content)
    {
        using HttpResponseMessage response = await UploadAsync(client, content);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    public static async Task<HttpResponseMessage> CreateAsync(HttpClient client, string fileId, string endpoint = "/v1/embeddings", string window = "24h") =>
        await client.PostAsync("/v1/batches", new StringContent(
            JsonSerializer.Serialize(new { input_file_id = fileId, endpoint, completion_window = window }), Encoding.UTF8, "application/json"));

    public static async Task<string> SubmitAsync(HttpClient client, string content)
    {
        string fileId = await UploadFileIdAsync(client, content);
        using HttpResponseMessage response = await CreateAsync(client, fileId);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Polls until the batch is in a terminal state (real time, bounded).</summary>
    public static async Task<JsonElement> WaitAsync(HttpClient client, string batchId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (true)
        {
            JsonElement batch = JsonDocument.Parse(await client.GetStringAsync($"/v1/batches/{batchId}", timeout.Token)).RootElement;
            if (batch.GetProperty("status").GetString() is "completed" or "failed" or "cancelled" or "expired")
            {
                return batch;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), timeout.Token);
        }
    }

    public static async Task<JsonElement[]> DownloadLinesAsync(HttpClient client, string fileId)
    {
        string content = await client.GetStringAsync($"/v1/files/{fileId}/content");
        return content.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
    }
}
