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
using Thaw.Inference.Models;

namespace Thaw.Cli.Commands;

/// <summary>
/// <c>thaw bench http</c>: starts the standalone host on loopback twice — batching on, then off (MaxBatchSize 1) —
/// and drives each over real HTTP at several concurrency levels for a bounded time, then under an overload.
/// Both modes run in one invocation on the same machine state, so their ratios mean something on a noisy host.
/// </summary>
internal static class BenchHttpCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var model = new Option<string?>("--model", "-m") { Description = "Model id. Default: the catalog's default model." };
        var concurrency = new Option<int[]>("--concurrency", "-c")
        {
            Description = "Concurrent clients per level.",
            DefaultValueFactory = _ => [1, 8, 32, 64],
            AllowMultipleArgumentsPerToken = true,
        };
        var seconds = new Option<double>("--seconds", "-s") { Description = "Measured time per level (after 1 s of warm-up).", DefaultValueFactory = _ => 5 };
        var batchSize = new Option<int>("--batch-size") { Description = "MaxBatchSize with batching on.", DefaultValueFactory = _ => 32 };
        var overload = new Option<int>("--overload")
        {
            Description = "Clients for the overload check with batching on (every answer must be 200 or 429); 0 skips it.",
            DefaultValueFactory = _ => 256,
        };
        var command = new Command("http",
            "Drive the HTTP API over loopback at each concurrency level with batching on and off in the same run; print requests/s, " +
            "p50/p95/p99 latency, mean batch size (reported by the server) and the on/off ratios. Stops by itself.")
        {
            model, concurrency, seconds, batchSize, overload,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(concurrency)!.Any(c => c is < 1 or > 4096) || parse.GetValue(seconds) is <= 0 or > 600 || parse.GetValue(batchSize) < 2)
            {
                await stderr.WriteLineAsync("thaw bench http: --concurrency must be 1..4096, --seconds more than 0 and at most 600, --batch-size at least 2.");
                return 2;
            }

            var duration = TimeSpan.FromSeconds(parse.GetValue(seconds));
            await using Server on = await Server.StartAsync(parse, parse.GetValue(batchSize), parse.GetValue(model), cancellationToken);
            await using Server off = await Server.StartAsync(parse, 1, parse.GetValue(model), cancellationToken);
            var rows = new List<LevelResult>();
            foreach (int clients in parse.GetValue(concurrency)!)
            {
                await stderr.WriteLineAsync($"bench http: {clients} clients, {duration.TotalSeconds:0.#} s with batching on and off");
                rows.AddRange(await RunLevelAsync([on, off], clients, duration, cancellationToken));
            }

            LevelResult? overloadResult = null;
            if (parse.GetValue(overload) > 0)
            {
                await stderr.WriteLineAsync($"bench http: overload, {parse.GetValue(overload)} clients with batching on");
                overloadResult = (await RunLevelAsync([on], parse.GetValue(overload), duration, cancellationToken))[0];
            }

            await PrintAsync(stdout, on.ModelId, rows, overloadResult);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Warms each server up, then alternates one-second slices between them until each has had
    /// <paramref name="duration"/>: batching on and off see the same machine (JIT tiers, caches, noisy neighbours).
    /// </summary>
    private static async Task<LevelResult[]> RunLevelAsync(Server[] servers, int clients, TimeSpan duration, CancellationToken cancellationToken)
    {
        foreach (Server server in servers)
        {
            await DriveAsync(server, clients, TimeSpan.FromSeconds(1), cancellationToken);
        }

        int slices = Math.Max(1, (int)Math.Round(duration.TotalSeconds));
        List<Sample>[] samples = servers.Select(_ => new List<Sample>()).ToArray();
        BatchStatistics[] before = servers.Select(s => s.Statistics).ToArray();
        for (int slice = 0; slice < slices; slice++)
        {
            for (int i = 0; i < servers.Length; i++)
            {
                samples[i].AddRange(await DriveAsync(servers[i], clients, duration / slices, cancellationToken));
            }
        }

        using var process = Process.GetCurrentProcess();
        return servers.Select((server, i) =>
        {
            BatchStatistics after = server.Statistics;
            long batches = after.Batches - before[i].Batches, inputs = after.Inputs - before[i].Inputs;
            return new LevelResult(server.Batching, clients, duration, [.. samples[i]], batches == 0 ? 0 : (double)inputs / batches, process.PeakWorkingSet64);
        }).ToArray();
    }

    /// <summary>Runs <paramref name="clients"/> loops of POST /v1/embeddings until the time is up.</summary>
    private static async Task<Sample[]> DriveAsync(Server server, int clients, TimeSpan duration, CancellationToken cancellationToken)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        List<Sample>[] perClient = await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            var samples = new List<Sample>();
            for (int i = c; Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested; i++)
            {
                using var content = new ByteArrayContent(server.Bodies[i % server.Bodies.Length]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                long started = Stopwatch.GetTimestamp();
                try
                {
                    using HttpResponseMessage response = await server.Client.PostAsync("/v1/embeddings", content, cancellationToken);
                    await response.Content.LoadIntoBufferAsync(cancellationToken);
                    samples.Add(new Sample(Stopwatch.GetElapsedTime(started).TotalMilliseconds, (int)response.StatusCode));
                }
                catch (HttpRequestException)
                {
                    samples.Add(new Sample(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 0));
                }
            }

            return samples;
        }));
        return perClient.SelectMany(s => s).ToArray();
    }

    private static async Task PrintAsync(TextWriter stdout, string modelId, List<LevelResult> rows, LevelResult? overload)
    {
        await stdout.WriteLineAsync($"thaw bench http: {modelId}, {Environment.ProcessorCount} cores, server and clients in one process on loopback");
        await stdout.WriteLineAsync();
        await stdout.WriteLineAsync("batching  clients     req/s    p50 ms    p95 ms    p99 ms  mean batch  non-200");
        foreach (LevelResult r in rows)
        {
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{(r.Batching ? "on" : "off"),-8}  {r.Clients,7}  {r.RequestsPerSecond,8:0.0}  {r.Percentile(0.50),8:0.00}  {r.Percentile(0.95),8:0.00}  {r.Percentile(0.99),8:0.00}  {r.MeanBatchSize,10:0.00}  {r.NotOk,7}"));
        }

        await stdout.WriteLineAsync();
        await stdout.WriteLineAsync("clients  throughput on/off  p50 on/off");
        foreach (LevelResult on in rows.Where(r => r.Batching))
        {
            if (rows.FirstOrDefault(r => !r.Batching && r.Clients == on.Clients) is { } off && off.RequestsPerSecond > 0)
            {
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{on.Clients,7}  {on.RequestsPerSecond / off.RequestsPerSecond,16:0.00}x  {on.Percentile(0.5) / off.Percentile(0.5),9:0.00}x"));
            }
        }

        if (overload is not null)
        {
            int ok = overload.Samples.Count(s => s.Status == 200), tooMany = overload.Samples.Count(s => s.Status == 429);
            int other = overload.Samples.Count(s => s.Status is not (200 or 429 or 0)), failed = overload.Samples.Count(s => s.Status == 0);
            await stdout.WriteLineAsync();
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"overload: {overload.Clients} clients, batching on, {overload.Duration.TotalSeconds:0.#} s: 200 x{ok}, 429 x{tooMany}, other status x{other}, " +
                $"failed connections x{failed}; p99 of 200s {overload.Percentile(0.99):0.0} ms; peak working set {overload.PeakWorkingSet / (1 << 20)} MiB"));
        }
    }

    /// <summary>The standalone host on a free loopback port with its model loaded, and a client for it.</summary>
    private sealed class Server(WebApplication app, ModelHost models, string modelId, bool batching, HttpClient client) : IAsyncDisposable
    {
        public string ModelId => modelId;

        public bool Batching => batching;

        public HttpClient Client => client;

        public BatchStatistics Statistics => ((EmbeddingActivity)models.GetStatus(modelId).Activity!).Interactive;

        /// <summary>One request body per bench sentence, serialized once.</summary>
        public byte[][] Bodies { get; } = BenchSentences.All
            .Select(s => Encoding.UTF8.GetBytes(new JsonObject { ["model"] = modelId, ["input"] = s }.ToJsonString()))
            .ToArray();

        public static async Task<Server> StartAsync(ParseResult parse, int maxBatchSize, string? modelId, CancellationToken cancellationToken)
        {
            Dictionary<string, string?> settings = ConfigurationOverrides.Read(parse);
            settings["Thaw:Batching:MaxBatchSize"] = maxBatchSize.ToString(CultureInfo.InvariantCulture);
            settings["Thaw:Models:Prewarm:0"] = "none";
            settings.TryAdd("Logging:LogLevel:Default", "Warning");
            WebApplication app = StandaloneHost.Build("http://127.0.0.1:0", settings);
            await app.StartAsync(cancellationToken);
            ModelHost models = app.Services.GetRequiredService<ModelHost>();
            string id = modelId ?? models.Catalog.DefaultModelId;
            await models.LoadAsync(id);
            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 8192 }) { BaseAddress = new Uri(address) };
            return new Server(app, models, id, maxBatchSize > 1, client);
        }

        public async ValueTask DisposeAsync()
        {
            client.Dispose();
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }

    private readonly record struct Sample(double Milliseconds, int Status);

    private sealed record LevelResult(bool Batching, int Clients, TimeSpan Duration, Sample[] Samples, double MeanBatchSize, long PeakWorkingSet)
    {
        private readonly double[] _okLatencies = Samples.Where(s => s.Status == 200).Select(s => s.Milliseconds).Order().ToArray();

        public double RequestsPerSecond => _okLatencies.Length / Duration.TotalSeconds;

        public int NotOk => Samples.Length - _okLatencies.Length;

        public double Percentile(double p) => Commands.Percentile.NearestRank(_okLatencies, p);
    }
}
