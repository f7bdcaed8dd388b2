using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Thaw.Cli.Commands;

/// <summary>
/// <c>thaw bench batch --fan-out 1 2 3</c>: the same batch job on 1, 2, 3 … local <c>thaw serve</c> worker processes
/// sharing one storage account (Azurite), split into shards that any worker takes from the shared queue. Reports the
/// job's items/s and speed-up for each count, and what it cost: instance-seconds (workers × wall time, what a platform
/// bills while the replicas run) and the CPU-seconds the workers spent (the fan-out overhead shows there first when
/// processes share the cores).
/// </summary>
internal static class BenchBatchFanOut
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(3);

    public static async Task<int> RunAsync(
        int[] workerCounts, int shards, string? modelId, string[] inputs, Dictionary<string, string?> settings, string work,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!settings.TryGetValue("Thaw:Storage:ConnectionString", out string? storage) || string.IsNullOrEmpty(storage))
        {
            storage = Environment.GetEnvironmentVariable("Thaw__Storage__ConnectionString");
        }

        if (string.IsNullOrEmpty(storage))
        {
            await stderr.WriteLineAsync("thaw bench batch --fan-out: the workers need one shared storage account: set Thaw:Storage:ConnectionString " +
                "(e.g. --set Thaw:Storage:ConnectionString=UseDevelopmentStorage=true with Azurite running).");
            return 2;
        }

        int shardLines = (inputs.Length + shards - 1) / shards;
        var rows = new List<(int Workers, TimeSpan Wall, TimeSpan Cpu)>();
        foreach (int workers in workerCounts)
        {
            // A queue and a container of its own per count: nothing left from an earlier run is taken.
            string suffix = Guid.NewGuid().ToString("N")[..12];
            var server = new Dictionary<string, string?>(settings, StringComparer.OrdinalIgnoreCase)
            {
                ["Thaw:Storage:ConnectionString"] = storage,
                ["Thaw:Jobs:Queue"] = $"bench-{suffix}",
                ["Thaw:Files:Container"] = $"bench-{suffix}",
                ["Thaw:Jobs:ShardLines"] = shardLines.ToString(CultureInfo.InvariantCulture),
                ["Logging:LogLevel:Default"] = "Warning",
            };
            if (modelId is not null)
            {
                server["Thaw:Models:Prewarm:0"] = modelId;
            }

            await stderr.WriteLineAsync($"bench batch: {workers} worker process(es): starting and loading {modelId ?? "the default model"}");
            var processes = new List<(Process Process, int Port)>();
            try
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
                for (int w = 0; w < workers; w++)
                {
                    int port = BenchColdStartCommand.FreePort();
                    var process = new Process { StartInfo = BenchColdStartCommand.ServerStartInfo(BenchColdStartCommand.ThisExecutable, port, server) };
                    // Read and dropped, so that a worker's pipes never fill and block it.
                    process.OutputDataReceived += (_, _) => { };
                    process.ErrorDataReceived += (_, _) => { };
                    process.Start();
                    process.BeginOutputReadLine();
                    process.BeginErrorReadLine();
                    processes.Add((process, port));
                }

                foreach ((Process process, int port) in processes)
                {
                    modelId = await WaitReadyAsync(http, process, port, cancellationToken) ?? modelId;
                }

                await stderr.WriteLineAsync($"bench batch: {workers} worker process(es): {inputs.Length} inputs as one batch job of {shards} shards");
                TimeSpan[] cpuBefore = [.. processes.Select(p => Cpu(p.Process))];
                using var api = BatchApiClient.Create($"http://127.0.0.1:{processes[0].Port}", null);
                TimeSpan wall = await BenchBatchCommand.RunBatchAsync(api, work, modelId!, inputs, cancellationToken);
                TimeSpan cpu = processes.Select((p, i) => Cpu(p.Process) - cpuBefore[i]).Aggregate(TimeSpan.Zero, (a, b) => a + b);
                rows.Add((workers, wall, cpu));
            }
            finally
            {
                foreach ((Process process, _) in processes)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(CancellationToken.None);
                    process.Dispose();
                }
            }
        }

        await stdout.WriteLineAsync($"thaw bench batch --fan-out: {modelId ?? "(default model)"}, {inputs.Length} short inputs in {shards} shards of {shardLines}, " +
            $"worker processes sharing one storage account, {Environment.ProcessorCount} cores on this machine");
        await stdout.WriteLineAsync();
        await stdout.WriteLineAsync($"workers  seconds    items/s  speed-up  instance-s  cpu-s  cpu-s / {rows[0].Workers} worker(s)");
        (_, TimeSpan firstWall, TimeSpan firstCpu) = rows[0];
        foreach ((int workers, TimeSpan wall, TimeSpan cpu) in rows)
        {
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{workers,7}  {wall.TotalSeconds,7:0.00}  {inputs.Length / wall.TotalSeconds,9:0.0}  {firstWall / wall,7:0.00}x  {workers * wall.TotalSeconds,10:0.0}  {cpu.TotalSeconds,5:0.0}  {cpu / firstCpu,15:0.00}x"));
        }

        return 0;
    }

    private static TimeSpan Cpu(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }

    /// <summary>Waits for the worker's /readyz to answer 200; returns the model it pre-warmed.</summary>
    private static async Task<string?> WaitReadyAsync(HttpClient http, Process process, int port, CancellationToken cancellationToken)
    {
        var readyz = new Uri($"http://127.0.0.1:{port}/readyz");
        long started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < StartLimit)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"A worker (thaw serve on port {port}) exited with code {process.ExitCode} before it was ready.");
            }

            try
            {
                using HttpResponseMessage ready = await http.GetAsync(readyz, cancellationToken);
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    using JsonDocument readiness = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(cancellationToken));
                    return readiness.RootElement.GetProperty("models").EnumerateArray()
                        .Where(m => m.GetProperty("prewarm").GetBoolean()).Select(m => m.GetProperty("id").GetString()).FirstOrDefault();
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        throw new InvalidOperationException($"A worker (thaw serve on port {port}) was not ready within {StartLimit.TotalSeconds:0} s.");
    }
}
