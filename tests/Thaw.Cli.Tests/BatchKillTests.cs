using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Thaw.Testing;

namespace Thaw.Cli.Tests;

/// <summary>
/// The kill test: <c>thaw serve</c> processes on the Azure Storage transport (real Azurite) run a batch and are
/// killed (SIGKILL) at random points while it runs; each new process takes the job over once the dead one's
/// message lease lapses, resumes from the last written chunk, and the batch ends with exactly one line per input —
/// run as one message, and split into four shards (kills then land mid-shard, between shards and during assembly).
/// And the fan-out: three processes share one batch's shards.
/// </summary>
public sealed class BatchKillTests(Azurite azurite) : IClassFixture<Azurite>
{
    private const int Lines = 600;

    private readonly string _suffix = Guid.NewGuid().ToString("N")[..12];

    [Theory]
    [InlineData(1000)]
    [InlineData(150)]
    public async Task Batch_WorkersKilledAtRandomPoints_CompletesWithExactlyOneLinePerInput(int shardLines)
    {
        var random = new Random(5);
        (Process process, HttpClient client, _) = await StartAsync(shardLines);
        string batchId;
        int kills = 0;
        try
        {
            batchId = await SubmitAsync(client);
            for (int kill = 0; kill < 3; kill++)
            {
                // Kill while the job is mid-way: once some lines are done, after a random pause.
                await Eventually.WaitUntilAsync(() => ServeProcessApi.Done(client, batchId) is not 0);
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
                (process, client, _) = await StartAsync(shardLines);
            }

            await Eventually.WaitUntilAsync(() => IsTerminal(client, batchId));
            using JsonDocument batch = JsonDocument.Parse(await client.GetStringAsync($"/v1/batches/{batchId}"));
            JsonElement root = batch.RootElement;
            Assert.Equal("completed", root.GetProperty("status").GetString());
            Assert.True(kills >= 2, $"only {kills} kills landed before the job ended");
            Assert.Equal<int?>(shardLines < Lines ? Lines / shardLines : null, root.TryGetProperty("shards", out JsonElement shards) ? shards.GetProperty("count").GetInt32() : null);
            await AssertOneLinePerInputAsync(client, root);
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

    [Fact]
    public async Task Batch_ThreeProcessesOnOneAzurite_EachRunsAShardAndEveryLineIsAnsweredOnceInOrder()
    {
        var workers = new List<(Process Process, HttpClient Client, Task<string> Output)>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                workers.Add(await StartAsync(shardLines: 100));
            }

            HttpClient client = workers[0].Client;
            string batchId = await SubmitAsync(client);
            await Eventually.WaitUntilAsync(() => IsTerminal(client, batchId));
            using JsonDocument batch = JsonDocument.Parse(await client.GetStringAsync($"/v1/batches/{batchId}"));
            JsonElement root = batch.RootElement;
            Assert.Equal("completed", root.GetProperty("status").GetString());
            Assert.Equal(Lines / 100, root.GetProperty("shards").GetProperty("count").GetInt32());
            await AssertOneLinePerInputAsync(client, root);
            string[] outputs = await Task.WhenAll(workers.Select(async w =>
            {
                w.Process.Kill();
                await w.Process.WaitForExitAsync();
                return await w.Output;
            }));
            Assert.All(outputs, o => Assert.Contains($"Batch {batchId}: running lines ", o, StringComparison.Ordinal));
        }
        finally
        {
            foreach ((Process process, HttpClient client, _) in workers)
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
    }

    private static async Task AssertOneLinePerInputAsync(HttpClient client, JsonElement batch)
    {
        string[] output = await ServeProcessApi.LinesAsync(client, batch.GetProperty("output_file_id").GetString()!);
        string[] errors = await ServeProcessApi.LinesAsync(client, batch.GetProperty("error_file_id").GetString()!);
        string CustomId(string line) => JsonDocument.Parse(line).RootElement.GetProperty("custom_id").GetString()!;
        Assert.Equal(Enumerable.Range(0, Lines).Where(i => i % 50 != 7).Select(i => $"k{i}"), output.Select(CustomId));
        Assert.Equal(Enumerable.Range(0, Lines).Where(i => i % 50 == 7).Select(i => $"k{i}"), errors.Select(CustomId));
        JsonElement counts = batch.GetProperty("request_counts");
        Assert.Equal((Lines, Lines - Lines / 50, Lines / 50), (counts.GetProperty("total").GetInt32(), counts.GetProperty("completed").GetInt32(), counts.GetProperty("failed").GetInt32()));
    }

    private async Task<(Process Process, HttpClient Client, Task<string> Output)> StartAsync(int shardLines)
    {
        int port = ServeProcessApi.FreePort();
        Dictionary<string, string?> settings = RealModels.HostSettings();
        settings["Thaw:Storage:ConnectionString"] = azurite.ConnectionString;
        settings["Thaw:Storage:SnapshotContainer"] = $"snapshots-{_suffix}";
        settings["Thaw:Files:Container"] = $"files-{_suffix}";
        settings["Thaw:Jobs:Queue"] = $"jobs-{_suffix}";
        settings["Thaw:Jobs:ChunkLines"] = "10";
        settings["Thaw:Jobs:ShardLines"] = shardLines.ToString(CultureInfo.InvariantCulture);
        settings["Thaw:Jobs:VisibilityTimeout"] = "00:00:02";
        settings["Thaw:Jobs:MaxDequeueCount"] = "20";
        settings["Thaw:Jobs:MaxPollInterval"] = "00:00:00.200";
        var start = new ProcessStartInfo(ServeProcessApi.Executable, ["serve", "--urls", $"http://127.0.0.1:{port}",
            .. settings.SelectMany(s => new[] { "--set", $"{s.Key}={s.Value}" })])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Eventually.WaitUntilAsync(() => ServeProcessApi.IsReady(client));
        return (process, client, output);
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
        return await ServeProcessApi.SubmitAsync(client, content, "kill.jsonl");
    }

    private static bool IsTerminal(HttpClient client, string batchId) =>
        ServeProcessApi.Batch(client, batchId).GetProperty("status").GetString() is "completed" or "failed" or "cancelled" or "expired";
}
