using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Thaw.Inference.Batching;
using Thaw.Inference.Embeddings;
using Thaw.Inference.Jobs;
using Thaw.Inference.Models;
using Thaw.Inference.Tokenization;

namespace Thaw.Cli.Commands;

/// <summary>
/// <c>thaw bench batch</c>: one standalone host on loopback; the same N short inputs sent as one batch job (bulk
/// profile, through the Files and Batch API) and as N HTTP requests of one input at a fixed concurrency
/// (interactive profile), against a reference: the same inputs tokenized and run in-process straight on the model's
/// ONNX Runtime session, sorted by length in batches of 64, no batcher, no HTTP, no storage. Items/s and the mean
/// batch size of each, and their ratios to the reference, measured in one run.
/// </summary>
internal static class BenchBatchCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var count = new Option<int>("--inputs", "-n") { Description = "Inputs in each mode.", DefaultValueFactory = _ => 10_000 };
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Concurrent HTTP clients of the one-request-per-input mode.", DefaultValueFactory = _ => 8 };
        var model = new Option<string?>("--model", "-m") { Description = "Model id. Default: the catalog's default model." };
        var rounds = new Option<int>("--rounds", "-r")
        {
            Description = "Times to run both modes, alternating which goes first, so both see the same (noisy) machine; the summary is over all rounds.",
            DefaultValueFactory = _ => 1,
        };
        var fanOut = new Option<int[]>("--fan-out")
        {
            Description = "Instead of the modes above: the same batch job on each of these numbers of local 'thaw serve' worker processes " +
                "sharing the storage account of Thaw:Storage:ConnectionString (e.g. Azurite): items/s, speed-up, instance-seconds and CPU-seconds of each.",
            AllowMultipleArgumentsPerToken = true,
        };
        var shards = new Option<int>("--shards") { Description = "Shards the --fan-out job is split into (at most one per input).", DefaultValueFactory = _ => 12 };
        var command = new Command("batch",
            "Throughput of a batch job against the same inputs sent one per HTTP request: items/s and mean batch size of each and " +
            "the ratio, on one loopback server in one run (each mode warmed up first).")
        {
            count, concurrency, model, rounds, fanOut, shards,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            int n = parse.GetValue(count), clients = parse.GetValue(concurrency);
            int roundCount = parse.GetValue(rounds);
            if (n < 1 || clients is < 1 or > 4096 || roundCount is < 1 or > 100)
            {
                await stderr.WriteLineAsync("thaw bench batch: --inputs must be at least 1, --concurrency 1..4096 and --rounds 1..100.");
                return 2;
            }

            string work = Path.Combine(Path.GetTempPath(), "thaw-bench-batch-" + Guid.NewGuid().ToString("N"));
            Dictionary<string, string?> settings = ConfigurationOverrides.Read(parse);
            if (parse.GetValue(fanOut) is { Length: > 0 } workers)
            {
                int shardCount = Math.Min(parse.GetValue(shards), n);
                if (workers.Any(w => w is < 1 or > 64) || shardCount < 1)
                {
                    await stderr.WriteLineAsync("thaw bench batch: --fan-out counts must be 1..64 and --shards at least 1.");
                    return 2;
                }

                Directory.CreateDirectory(work);
                try
                {
                    return await BenchBatchFanOut.RunAsync(workers, shardCount, parse.GetValue(model), Inputs(n), settings, work, stdout, stderr, cancellationToken);
                }
                finally
                {
                    Directory.Delete(work, recursive: true);
                }
            }

            settings["Thaw:Models:Prewarm:0"] = "none";
            settings.TryAdd("Thaw:Jobs:Directory", Path.Combine(work, "jobs"));
            settings.TryAdd("Logging:LogLevel:Default", "Warning");
            WebApplication app = StandaloneHost.Build("http://127.0.0.1:0", settings);
            try
            {
                await app.StartAsync(cancellationToken);
                ModelHost models = app.Services.GetRequiredService<ModelHost>();
                string modelId = parse.GetValue(model) ?? models.Catalog.DefaultModelId;
                await models.LoadAsync(modelId);
                string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4096 }) { BaseAddress = new Uri(url) };
                using var api = new BatchApiClient(http);
                string[] inputs = Inputs(n);
                Directory.CreateDirectory(work);

                await stderr.WriteLineAsync($"bench batch: warming up both modes ({modelId})");
                string[] warmUp = inputs.Take(Math.Min(n, 500)).ToArray();
                await RunOnlineAsync(http, modelId, warmUp, clients, cancellationToken);
                await RunBatchAsync(api, work, modelId, warmUp, cancellationToken);

                EmbeddingModel embedding = await models.LoadAsync<EmbeddingModel>(modelId);
                RunRaw(embedding, warmUp, cancellationToken);
                var results = new List<(int Round, TimeSpan Raw, TimeSpan Online, double OnlineBatch, TimeSpan Job, double JobBatch)>();
                for (int round = 1; round <= roundCount; round++)
                {
                    await stderr.WriteLineAsync($"bench batch: round {round}: {n} inputs straight on the ONNX Runtime session (reference)");
                    TimeSpan raw = RunRaw(embedding, inputs, cancellationToken);
                    TimeSpan online = default, job = default;
                    double onlineBatch = 0, jobBatch = 0;
                    foreach (bool batchFirst in round % 2 == 0 ? new[] { true, false } : [false, true])
                    {
                        if (batchFirst)
                        {
                            await stderr.WriteLineAsync($"bench batch: round {round}: {n} inputs as one batch job");
                            BatchStatistics before = ((EmbeddingActivity)models.GetStatus(modelId).Activity!).Bulk;
                            job = await RunBatchAsync(api, work, modelId, inputs, cancellationToken);
                            jobBatch = MeanBatch(before, ((EmbeddingActivity)models.GetStatus(modelId).Activity!).Bulk);
                        }
                        else
                        {
                            await stderr.WriteLineAsync($"bench batch: round {round}: {n} inputs, one per HTTP request, {clients} clients");
                            BatchStatistics before = ((EmbeddingActivity)models.GetStatus(modelId).Activity!).Interactive;
                            online = await RunOnlineAsync(http, modelId, inputs, clients, cancellationToken);
                            onlineBatch = MeanBatch(before, ((EmbeddingActivity)models.GetStatus(modelId).Activity!).Interactive);
                        }
                    }

                    results.Add((round, raw, online, onlineBatch, job, jobBatch));
                }

                await stdout.WriteLineAsync($"thaw bench batch: {modelId}, {n} short inputs per mode and round, {Environment.ProcessorCount} cores, server and client in one process on loopback");
                await stdout.WriteLineAsync();
                await stdout.WriteLineAsync("round  mode                                     seconds    items/s  mean batch");
                foreach ((int round, TimeSpan raw, TimeSpan online, double onlineBatch, TimeSpan job, double jobBatch) in results)
                {
                    await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{round,5}  {"raw ONNX Runtime, length-sorted, 64/pass",-39}  {raw.TotalSeconds,7:0.00}  {n / raw.TotalSeconds,9:0.0}  {RawBatch,10:0.0}"));
                    await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{round,5}  {$"HTTP, 1 input per request, {clients} clients",-39}  {online.TotalSeconds,7:0.00}  {n / online.TotalSeconds,9:0.0}  {onlineBatch,10:0.0}"));
                    await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{round,5}  {"batch job (upload, create, run, poll)",-39}  {job.TotalSeconds,7:0.00}  {n / job.TotalSeconds,9:0.0}  {jobBatch,10:0.0}"));
                }

                double[] ratios = results.Select(r => r.Online / r.Job).Order().ToArray();
                double onlineRate = n * results.Count / results.Sum(r => r.Online.TotalSeconds), jobRate = n * results.Count / results.Sum(r => r.Job.TotalSeconds);
                double rawRate = n * results.Count / results.Sum(r => r.Raw.TotalSeconds);
                await stdout.WriteLineAsync();
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"batch job / raw ONNX Runtime: {jobRate / rawRate:0.00}x over all rounds ({jobRate:0.0} vs {rawRate:0.0} items/s); HTTP / raw: {onlineRate / rawRate:0.00}x; per round {string.Join(", ", results.Select(r => (r.Raw / r.Job).ToString("0.00", CultureInfo.InvariantCulture) + "x"))}"));
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"batch job / HTTP throughput: {jobRate / onlineRate:0.00}x over all rounds ({jobRate:0.0} vs {onlineRate:0.0} items/s); per round {string.Join(", ", results.Select(r => (r.Online / r.Job).ToString("0.00", CultureInfo.InvariantCulture) + "x"))}; median {ratios[ratios.Length / 2]:0.00}x"));
                return 0;
            }
            finally
            {
                await app.StopAsync(CancellationToken.None);
                await app.DisposeAsync();
                if (Directory.Exists(work))
                {
                    Directory.Delete(work, recursive: true);
                }
            }
        });
        return command;
    }

    private static string[] Inputs(int n) => [.. Enumerable.Range(0, n).Select(i => $"{BenchSentences.All[i % BenchSentences.All.Length]} ({i})")];

    /// <summary>Rows per forward pass of the reference, the bulk profile's default batch size.</summary>
    private const int RawBatch = 64;

    /// <summary>The reference: tokenize, sort by length, one forward pass per 64 inputs on this thread, pooled vectors out.</summary>
    private static TimeSpan RunRaw(EmbeddingModel model, string[] inputs, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        TokenizedInput[] tokenized = model.Tokenize(inputs, EmbeddingInputType.Document);
        float[][] vectors = model.Encode(tokenized, RawBatch, int.MaxValue, cancellationToken);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        return vectors.Length == inputs.Length ? elapsed : throw new InvalidOperationException("The reference pass lost inputs.");
    }

    private static double MeanBatch(BatchStatistics before, BatchStatistics after)
    {
        long batches = after.Batches - before.Batches;
        return batches == 0 ? 0 : (double)(after.Inputs - before.Inputs) / batches;
    }

    /// <summary>Sends each input as its own POST /v1/embeddings from <paramref name="clients"/> loops; every answer must be 200.</summary>
    private static async Task<TimeSpan> RunOnlineAsync(HttpClient http, string modelId, string[] inputs, int clients, CancellationToken cancellationToken)
    {
        byte[][] bodies = inputs.Select(text => Encoding.UTF8.GetBytes(new JsonObject { ["model"] = modelId, ["input"] = text }.ToJsonString())).ToArray();
        int next = -1;
        long started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < bodies.Length)
            {
                using var content = new ByteArrayContent(bodies[i]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using HttpResponseMessage response = await http.PostAsync("/v1/embeddings", content, cancellationToken);
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"POST /v1/embeddings answered {(int)response.StatusCode}; the benchmark needs every request to succeed.");
                }
            }
        }));
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>Writes the inputs as a batch file, then times upload, create and polling until the batch completes.</summary>
    internal static async Task<TimeSpan> RunBatchAsync(BatchApiClient api, string work, string modelId, string[] inputs, CancellationToken cancellationToken)
    {
        string path = Path.Combine(work, $"input-{inputs.Length}.jsonl");
        await using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
        {
            for (int i = 0; i < inputs.Length; i++)
            {
                await writer.WriteLineAsync(new JsonObject
                {
                    ["custom_id"] = $"r{i}",
                    ["method"] = "POST",
                    ["url"] = "/v1/embeddings",
                    ["body"] = new JsonObject { ["model"] = modelId, ["input"] = inputs[i] },
                }.ToJsonString());
            }
        }

        long started = Stopwatch.GetTimestamp();
        FileRecord file = await api.UploadAsync(path, cancellationToken);
        BatchRecord batch = await api.CreateAsync(file.Id, "/v1/embeddings", cancellationToken);
        while (!batch.IsTerminal)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
            batch = await api.GetAsync(batch.Id, cancellationToken);
        }

        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        return batch.Status == BatchStatus.Completed && batch.RequestCounts.Completed == inputs.Length
            ? elapsed
            : throw new InvalidOperationException($"The benchmark batch ended {batch.Status} with {batch.RequestCounts.Completed}/{inputs.Length} lines answered.");
    }
}
