using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Thaw.Testing;
using Xunit.Abstractions;

namespace Thaw.Cli.Tests;

/// <summary>
/// <c>thaw serve</c> as a real process on a real Azurite that goes away for longer than the Storage SDK retries and
/// comes back with its data (issue 11, item 3): the embeddings API, which needs no storage, must answer all along,
/// and the listeners must survive the SDK's final exceptions and take up their queues again.
/// </summary>
public sealed class StorageOutageTests : IAsyncLifetime
{
    private const int LongJob = 1500;
    private const int ShortJob = 20;
    private readonly string _data = Directory.CreateTempSubdirectory("thaw-outage-").FullName;
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..12];
    private readonly Azurite _azurite;
    private readonly ConcurrentQueue<string> _log = new();

    private readonly ITestOutputHelper _output;

    public StorageOutageTests(ITestOutputHelper output)
    {
        _output = output;
        _azurite = new Azurite { Location = _data };
    }

    public Task InitializeAsync() => _azurite.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _azurite.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Serve_StorageDownLongerThanTheSdkRetries_KeepsAnsweringAndResumesItsQueues()
    {
        var clock = Stopwatch.StartNew();
        (Process process, HttpClient client) = await StartAsync();
        try
        {
            string before = await SubmitAsync(client, "before", LongJob);
            await Eventually.WaitUntilAsync(() => ServeProcessApi.Done(client, before) > 0);
            Assert.False(IsTerminal(client, before), "The job ended before the outage began.");

            _output.WriteLine($"{clock.Elapsed}: stopping storage");
            await _azurite.StopAsync();
            _output.WriteLine($"{clock.Elapsed}: storage stopped");
            // Both listeners must have met the SDK's final exception (after its own retries) before storage returns,
            // each at least twice: once is the first failure, twice proves the listener went on after it.
            int answered = 0;
            using (var outage = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
            {
                while (Count("RequestListenerService[944]") < 2 || Count("JobListenerService[1200]") < 2)
                {
                    Assert.False(process.HasExited, $"thaw serve exited during the outage:\n{string.Join('\n', _log)}");
                    using HttpResponseMessage embedded = await client.PostAsync("/v1/embeddings",
                        new StringContent("""{"input":"still answering while storage is away"}""", Encoding.UTF8, "application/json"), outage.Token);
                    Assert.Equal(HttpStatusCode.OK, embedded.StatusCode);
                    answered++;
                }
            }

            _output.WriteLine($"{clock.Elapsed}: {answered} embeddings answered during the outage; starting storage");
            await _azurite.StartAsync();
            QueueClient requests = Queue($"requests-{_suffix}");
            QueueClient replies = Queue($"replies-{_suffix}");
            await replies.CreateIfNotExistsAsync();
            await requests.SendMessageAsync(JsonSerializer.Serialize(new { id = "after", body = new { input = "asked after the outage" }, reply_to = new { queue = replies.Name } }));
            string after = await SubmitAsync(client, "after", ShortJob);
            await Eventually.WaitUntilAsync(() => IsTerminal(client, before) && IsTerminal(client, after));

            _output.WriteLine($"{clock.Elapsed}: both jobs ended");
            Assert.True(answered > 0);
            Assert.Equal("completed", ServeProcessApi.Batch(client, before).GetProperty("status").GetString());
            Assert.Equal("completed", ServeProcessApi.Batch(client, after).GetProperty("status").GetString());
            Assert.Equal(Enumerable.Range(0, LongJob).Select(i => $"before{i}").Order(), await CustomIdsAsync(client, before));
            Assert.Equal(Enumerable.Range(0, ShortJob).Select(i => $"after{i}").Order(), await CustomIdsAsync(client, after));
            QueueMessage reply = await ReceiveAsync(replies);
            using JsonDocument answer = JsonDocument.Parse(reply.Body);
            Assert.Equal(("after", 200), (answer.RootElement.GetProperty("id").GetString(), answer.RootElement.GetProperty("status_code").GetInt32()));
            Assert.False(process.HasExited);
        }
        finally
        {
            // What the server logged, for the reader of a failure.
            foreach (string line in _log)
            {
                _output.WriteLine(line);
            }

            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
            client.Dispose();
        }
    }

    private int Count(string text) => _log.Count(line => line.Contains(text, StringComparison.Ordinal));

    private async Task<(Process Process, HttpClient Client)> StartAsync()
    {
        int port = ServeProcessApi.FreePort();
        Dictionary<string, string?> settings = RealModels.HostSettings();
        settings["Thaw:Storage:ConnectionString"] = _azurite.ConnectionString;
        settings["Thaw:Storage:SnapshotContainer"] = $"snapshots-{_suffix}";
        settings["Thaw:Files:Container"] = $"files-{_suffix}";
        settings["Thaw:Jobs:Queue"] = $"jobs-{_suffix}";
        settings["Thaw:Jobs:RequestQueue"] = $"requests-{_suffix}";
        settings["Thaw:Requests:ReplyQueues:0"] = $"replies-{_suffix}";
        settings["Thaw:Jobs:ChunkLines"] = "25";
        // A free slot while the first job runs, so that the job listener polls (and fails) during the outage.
        settings["Thaw:Jobs:MaxConcurrentJobs"] = "2";
        settings["Thaw:Jobs:VisibilityTimeout"] = "00:00:02";
        settings["Thaw:Jobs:MaxDequeueCount"] = "50";
        settings["Thaw:Jobs:RetryDelay"] = "00:00:00";
        settings["Thaw:Jobs:MaxPollInterval"] = "00:00:00.200";
        settings["Thaw:Jobs:MaxFailureBackoff"] = "00:00:00.500";
        var start = new ProcessStartInfo(ServeProcessApi.Executable, ["serve", "--urls", $"http://127.0.0.1:{port}",
            .. settings.SelectMany(s => new[] { "--set", $"{s.Key}={s.Value}" })])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Eventually.WaitUntilAsync(() => process.HasExited || ServeProcessApi.IsReady(client));
        Assert.False(process.HasExited, string.Join('\n', _log));
        return (process, client);
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _log.Enqueue(line);
        }
    }

    private static async Task<string> SubmitAsync(HttpClient client, string prefix, int lines)
    {
        string content = string.Join('\n', Enumerable.Range(0, lines).Select(i => JsonSerializer.Serialize(new
        {
            custom_id = $"{prefix}{i}",
            method = "POST",
            url = "/v1/embeddings",
            body = new { input = $"outage test line {i}: storage may go away at any moment." },
        })));
        return await ServeProcessApi.SubmitAsync(client, content, $"{prefix}.jsonl");
    }

    private static async Task<string[]> CustomIdsAsync(HttpClient client, string batchId)
    {
        string[] output = await ServeProcessApi.LinesAsync(client, ServeProcessApi.Batch(client, batchId).GetProperty("output_file_id").GetString()!);
        return [.. output.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("custom_id").GetString()!).Order()];
    }

    private static bool IsTerminal(HttpClient client, string batchId)
    {
        // While storage comes back, a read may fail; the state is what is asked about, not that read.
        using HttpResponseMessage response = client.GetAsync($"/v1/batches/{batchId}").GetAwaiter().GetResult();
        return response.IsSuccessStatusCode
            && JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement.GetProperty("status").GetString() is "completed" or "failed" or "cancelled" or "expired";
    }

    private QueueClient Queue(string name) =>
        new(_azurite.ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    private static async Task<QueueMessage> ReceiveAsync(QueueClient queue)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            if ((await queue.ReceiveMessageAsync(TimeSpan.FromMinutes(1), timeout.Token)).Value is { } message)
            {
                return message;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token);
        }
    }
}
