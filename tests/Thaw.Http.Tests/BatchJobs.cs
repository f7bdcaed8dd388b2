using System.Net.Http.Headers;
using Thaw.Testing;

namespace Thaw.Http.Tests;

/// <summary>An OpenAI-style client flow over real HTTP: upload, create, poll, download.</summary>
internal static class BatchJobs
{
    /// <summary>A server that runs batch jobs (listener on the in-process queue), with its own jobs directory.</summary>
    public static Task<LoopbackServer> StartServerAsync(Dictionary<string, string?>? settings = null, Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null)
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

        return ThawApiServer.StartAsync(all, jobListener: true, configure: configure);
    }

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
