using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Thaw.Http.Contracts;
using Thaw.Inference.Jobs;

namespace Thaw.Cli.Commands;

/// <summary>The Files and Batch API from the client side, for <c>thaw batch</c>: typed results, server errors as <see cref="BatchApiException"/>.</summary>
internal sealed class BatchApiClient(HttpClient http) : IDisposable
{
    public static BatchApiClient Create(string url, string? apiKey)
    {
        var http = new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(30) };
        if (!string.IsNullOrEmpty(apiKey))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return new BatchApiClient(http);
    }

    public async Task<FileRecord> UploadAsync(string path, CancellationToken cancellationToken)
    {
        await using FileStream content = File.OpenRead(path);
        using var form = new MultipartFormDataContent { { new StringContent(FilePurposes.Batch), "purpose" } };
        var file = new StreamContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/jsonl");
        form.Add(file, "file", Path.GetFileName(path));
        using HttpResponseMessage response = await http.PostAsync("v1/files", form, cancellationToken);
        return await ReadAsync(response, ThawJson.Context.FileRecord, cancellationToken);
    }

    public async Task<BatchRecord> CreateAsync(string inputFileId, string endpoint, CancellationToken cancellationToken)
    {
        string body = JsonSerializer.Serialize(new CreateBatchRequest
        {
            InputFileId = inputFileId,
            Endpoint = endpoint,
            CompletionWindow = "24h",
        }, ThawJson.Context.CreateBatchRequest);
        using HttpResponseMessage response = await http.PostAsync("v1/batches", new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
        return await ReadAsync(response, ThawJson.Context.BatchRecord, cancellationToken);
    }

    public async Task<BatchRecord> GetAsync(string batchId, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await http.GetAsync($"v1/batches/{Uri.EscapeDataString(batchId)}", cancellationToken);
        return await ReadAsync(response, ThawJson.Context.BatchRecord, cancellationToken);
    }

    public async Task<BatchRecord> CancelAsync(string batchId, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await http.PostAsync($"v1/batches/{Uri.EscapeDataString(batchId)}/cancel", null, cancellationToken);
        return await ReadAsync(response, ThawJson.Context.BatchRecord, cancellationToken);
    }

    public async Task<BatchList> ListAsync(int limit, string? after, CancellationToken cancellationToken)
    {
        string query = after is null ? $"?limit={limit}" : $"?limit={limit}&after={Uri.EscapeDataString(after)}";
        using HttpResponseMessage response = await http.GetAsync("v1/batches" + query, cancellationToken);
        return await ReadAsync(response, ThawJson.Context.BatchList, cancellationToken);
    }

    /// <summary>Streams a file's content to <paramref name="path"/>; returns its size.</summary>
    public async Task<long> DownloadAsync(string fileId, string path, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await http.GetAsync($"v1/files/{Uri.EscapeDataString(fileId)}/content", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(response, cancellationToken);
        }

        await using (FileStream target = File.Create(path))
        {
            await response.Content.CopyToAsync(target, cancellationToken);
        }

        return new FileInfo(path).Length;
    }

    public void Dispose() => http.Dispose();

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(response, cancellationToken);
        }

        await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonSerializer.DeserializeAsync(body, type, cancellationToken)
            ?? throw new BatchApiException($"The server answered {(int)response.StatusCode} with an empty body.");
    }

    private static async Task<BatchApiException> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        string message = text;
        try
        {
            if (JsonSerializer.Deserialize(text, ThawJson.Context.ErrorEnvelope) is { } envelope)
            {
                message = envelope.Error.Message;
            }
        }
        catch (JsonException)
        {
        }

        return new BatchApiException($"The server answered {(int)response.StatusCode} {response.ReasonPhrase}: {message}");
    }
}
