using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Thaw.Testing;

namespace Thaw.Cli.Tests;

/// <summary>
/// The kill test: <c>thaw serve</c> processes on the Azure Storage transport (real Azurite) run a batch and are
/// killed (SIGKILL) at random points while it runs; each new process takes the job over once the dead one's
/// message lease lapses, resumes from the last written chunk, and the batch ends with exactly one line per input.
/// </summary>
public sealed class BatchKillTests(Azurite azurite) : IClassFixture<Azurite>
{
    private const int Lines = 600;

    // tests/Thaw.Cli.Tests/bin/<Configuration>/<tfm>/ -> src/Thaw.Cli/bin/<Configuration>/<tfm>/thaw
    private static readonly string Executable = Path.GetFullPath(Path.Combine(
        AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "Thaw.Cli", "bin",
        new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, new DirectoryInfo(AppContext.BaseDirectory).Name, "thaw"));

    private readonly string _suffix = Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Batch_WorkersKilledAtRandomPoints_CompletesWithExactlyOneLinePerInput()
    {
        var random = new Random(5);
        (Process process, HttpClient client) = await StartAsync();
        string batchId;
        int kills = 0;
        try
        {
            batchId = await SubmitAsync(client);
            for (int kill = 0; kill < 3; kill++)
            {
                // Kill while the job is mid-way: once some lines are done, after a random pause.
                await Eventually.WaitUntilAsync(() => Done(client, batchId) is not 0);
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, 150)));
                if (IsTerminal(client, batchId))
                {
                    break;
                }

                process.Kill();
                await process.WaitForExitAsync();
                kills++;
                process.Dispose();
                client.Dispose();
                (process, client) = await StartAsync();
            }

            await Eventually.WaitUntilAsync(() => IsTerminal(client, batchId));
            using JsonDocument batch = JsonDocument.Parse(await client.GetStringAsync($"/v1/batches/{batchId}"));
            JsonElement root = batch.RootElement;
            Assert.Equal("completed", root.GetProperty("status").GetString());
            Assert.True(kills >= 2, $"only {kills} kills landed before the job ended");
            string[] output = await LinesAsync(client, root.GetProperty("output_file_id").GetString()!);
            string[] errors = await LinesAsync(client, root.GetProperty("error_file_id").GetString()!);
            string[] customIds = [.. output.Concat(errors).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("custom_id").GetString()!)];
            Assert.Equal(Enumerable.Range(0, Lines).Select(i => $"k{i}").Order(), customIds.Order());
            Assert.Equal(Lines / 50, errors.Length);
            JsonElement counts = root.GetProperty("request_counts");
            Assert.Equal((Lines, Lines - Lines / 50, Lines / 50), (counts.GetProperty("total").GetInt32(), counts.GetProperty("completed").GetInt32(), counts.GetProperty("failed").GetInt32()));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
            client.Dispose();
        }
    }

    private async Task<(Process Process, HttpClient Client)> StartAsync()
    {
        int port = FreePort();
        Dictionary<string, string?> settings = RealModels.HostSettings();
        settings["Thaw:Storage:ConnectionString"] = azurite.ConnectionString;
        settings["Thaw:Storage:SnapshotContainer"] = $"snapshots-{_suffix}";
        settings["Thaw:Files:Container"] = $"files-{_suffix}";
        settings["Thaw:Jobs:Queue"] = $"jobs-{_suffix}";
        settings["Thaw:Jobs:ChunkLines"] = "10";
        settings["Thaw:Jobs:VisibilityTimeout"] = "00:00:02";
        settings["Thaw:Jobs:MaxDequeueCount"] = "20";
        settings["Thaw:Jobs:MaxPollInterval"] = "00:00:00.200";
        var start = new ProcessStartInfo(Executable, ["serve", "--urls", $"http://127.0.0.1:{port}",
            .. settings.SelectMany(s => new[] { "--set", $"{s.Key}={s.Value}" })])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Eventually.WaitUntilAsync(() => IsReady(client));
        return (process, client);
    }

    private static async Task<string> SubmitAsync(HttpClient client)
    {
        string content = string.Join('\n', Enumerable.Range(0, Lines).Select(i => JsonSerializer.Serialize(new
        {
            custom_id = $"k{i}",
            method = "POST",
            url = "/v1/embeddings",
            body = new { input = i % 50 == 7 ? "" : $"kill test line {i}: the worker may die at any moment." },
        })));
        using var form = new MultipartFormDataContent { { new StringContent("batch"), "purpose" } };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/jsonl");
        form.Add(file, "file", "kill.jsonl");
        using HttpResponseMessage uploaded = await client.PostAsync("/v1/files", form);
        string fileId = JsonDocument.Parse(await uploaded.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        using HttpResponseMessage created = await client.PostAsync("/v1/batches", new StringContent(
            JsonSerializer.Serialize(new { input_file_id = fileId, endpoint = "/v1/embeddings", completion_window = "24h" }), Encoding.UTF8, "application/json"));
        string body = await created.Content.ReadAsStringAsync();
        Assert.True(created.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<string[]> LinesAsync(HttpClient client, string fileId) =>
        (await client.GetStringAsync($"/v1/files/{fileId}/content")).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static JsonElement Batch(HttpClient client, string batchId) =>
        JsonDocument.Parse(client.GetStringAsync($"/v1/batches/{batchId}").GetAwaiter().GetResult()).RootElement;

    private static int Done(HttpClient client, string batchId)
    {
        JsonElement counts = Batch(client, batchId).GetProperty("request_counts");
        return counts.GetProperty("completed").GetInt32() + counts.GetProperty("failed").GetInt32();
    }

    private static bool IsTerminal(HttpClient client, string batchId) =>
        Batch(client, batchId).GetProperty("status").GetString() is "completed" or "failed" or "cancelled" or "expired";

    private static bool IsReady(HttpClient client)
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
