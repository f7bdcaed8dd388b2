using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Thaw.Cli.Tests;

/// <summary>What the tests that run <c>thaw serve</c> as a real process share: where it is, a free port, and the Batch API calls.</summary>
internal static class ServeProcessApi
{
    // tests/Thaw.Cli.Tests/bin/<Configuration>/<tfm>/ -> src/Thaw.Cli/bin/<Configuration>/<tfm>/thaw
    public static string Executable { get; } = Path.GetFullPath(Path.Combine(
        AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "Thaw.Cli", "bin",
        new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, new DirectoryInfo(AppContext.BaseDirectory).Name, "thaw"));

    /// <summary>Uploads <paramref name="content"/> as a batch input file and creates a batch on it; returns the batch id.</summary>
    public static async Task<string> SubmitAsync(HttpClient client, string content, string filename)
    {
        using var form = new MultipartFormDataContent { { new StringContent("batch"), "purpose" } };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/jsonl");
        form.Add(file, "file", filename);
        using HttpResponseMessage uploaded = await client.PostAsync("/v1/files", form);
        string fileId = JsonDocument.Parse(await uploaded.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        using HttpResponseMessage created = await client.PostAsync("/v1/batches", new StringContent(
            JsonSerializer.Serialize(new { input_file_id = fileId, endpoint = "/v1/embeddings", completion_window = "24h" }), Encoding.UTF8, "application/json"));
        string body = await created.Content.ReadAsStringAsync();
        Assert.True(created.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    public static async Task<string[]> LinesAsync(HttpClient client, string fileId) =>
        (await client.GetStringAsync($"/v1/files/{fileId}/content")).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static JsonElement Batch(HttpClient client, string batchId) =>
        JsonDocument.Parse(client.GetStringAsync($"/v1/batches/{batchId}").GetAwaiter().GetResult()).RootElement;

    public static int Done(HttpClient client, string batchId)
    {
        JsonElement counts = Batch(client, batchId).GetProperty("request_counts");
        return counts.GetProperty("completed").GetInt32() + counts.GetProperty("failed").GetInt32();
    }

    public static bool IsReady(HttpClient client)
    {
        try
        {
            return client.GetAsync("/readyz").GetAwaiter().GetResult().StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
