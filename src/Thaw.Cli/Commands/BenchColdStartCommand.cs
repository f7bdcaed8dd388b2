using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Thaw.Cli.Commands;

/// <summary>
/// <c>thaw bench coldstart</c>: time from process start to the first successful <c>/v1/embeddings</c> answer of a
/// fresh <c>thaw serve</c> process, for each place the model can come from — its origin (empty disk, no store),
/// the snapshot store (empty disk, Blob Storage holding the snapshot) and the local disk (snapshot cached). The
/// scenarios alternate round by round so that their ratios see the same machine state. With the floor program beside
/// thaw, a last scenario runs it on the same snapshot, and the table ends with Thaw's phases as ratios to the floor's.
/// </summary>
internal static class BenchColdStartCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var model = new Option<string?>("--model", "-m") { Description = "Model id (pre-warmed by each server). Default: the catalog's default model." };
        var rounds = new Option<int>("--rounds", "-n") { Description = "Cold starts per scenario.", DefaultValueFactory = _ => 5 };
        var storage = new Option<string?>("--storage")
        {
            Description = "Azure Storage connection string of the snapshot store for the 'snapshot store' scenario (e.g. Azurite's, " +
                "which is no secret: a real account's key belongs in Thaw__Storage__ConnectionString or --set-file, not in argv). " +
                "Default: Thaw:Storage:ConnectionString; without one that scenario is skipped.",
        };
        var command = new Command("coldstart",
            "Start 'thaw serve' as a new process again and again and time process start to the first 200 from /v1/embeddings, " +
            "with the model from its origin, from the snapshot store (Blob) and from local disk; print each phase (from the " +
            "server's /readyz) and the ratios to the origin case.")
        {
            model, rounds, storage,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            int n = parse.GetValue(rounds);
            if (n is < 1 or > 100)
            {
                await stderr.WriteLineAsync("thaw bench coldstart: --rounds must be 1..100.");
                return 2;
            }

            Dictionary<string, string?> overrides = ConfigurationOverrides.Read(parse);
            string? connection = parse.GetValue(storage) ?? (overrides.TryGetValue("Thaw:Storage:ConnectionString", out string? c) ? c : null)
                ?? Environment.GetEnvironmentVariable("Thaw__Storage__ConnectionString");
            string root = Directory.CreateTempSubdirectory("thaw-coldstart-").FullName;
            try
            {
                var runner = new Runner(parse.GetValue(model), overrides);
                var scenarios = new List<Scenario> { new("origin", "origin (no snapshot)", Storage: null, WarmCache: false) };
                if (!string.IsNullOrWhiteSpace(connection))
                {
                    scenarios.Add(new("store", "snapshot in Blob, empty disk", connection, WarmCache: false));
                }
                else
                {
                    await stderr.WriteLineAsync("bench coldstart: no storage connection string: skipping the snapshot-store scenario (see --storage).");
                }

                scenarios.Add(new("local", "snapshot on local disk", Storage: null, WarmCache: true));

                // Seed: one start that fills a local cache and (with a store) publishes the snapshot; not timed.
                string warm = Path.Combine(root, "warm");
                await stderr.WriteLineAsync("bench coldstart: seeding the local cache" + (string.IsNullOrWhiteSpace(connection) ? "" : " and the snapshot store"));
                await runner.StartAsync(warm, connection, cancellationToken, waitForSnapshot: true);
                if (File.Exists(Floor.Executable))
                {
                    scenarios.Add(new("floor", "floor program, local disk", Storage: null, WarmCache: true));
                }
                else
                {
                    await stderr.WriteLineAsync($"bench coldstart: no floor program at {Floor.Executable}: skipping the floor scenario.");
                }

                Floor? floor = scenarios.Any(s => s.Name == "floor") ? Floor.FromCache(warm) : null;

                var results = scenarios.ToDictionary(s => s.Name, _ => new List<Sample>());
                for (int round = 0; round < n; round++)
                {
                    // Rotate the order so no scenario always runs first (page cache, CPU frequency).
                    for (int i = 0; i < scenarios.Count; i++)
                    {
                        Scenario scenario = scenarios[(round + i) % scenarios.Count];
                        string cache = scenario.WarmCache ? warm : Path.Combine(root, $"{scenario.Name}-{round}");
                        await stderr.WriteLineAsync($"bench coldstart: round {round + 1}/{n}: {scenario.Title}");
                        Sample sample = scenario.Name == "floor"
                            ? await floor!.RunAsync(cancellationToken)
                            : await runner.StartAsync(cache, scenario.Storage, cancellationToken);
                        if (scenario.Storage is not null && sample.Tier != "snapshot-store")
                        {
                            throw new BenchFailedException($"the snapshot-store scenario was served from {sample.Tier}: {sample.StoreProblem ?? "the store did not hold the snapshot"}.");
                        }

                        results[scenario.Name].Add(sample);
                        if (!scenario.WarmCache)
                        {
                            Directory.Delete(cache, recursive: true);
                        }
                    }
                }

                await PrintAsync(stdout, runner, scenarios, results, n);
                return 0;
            }
            catch (BenchFailedException e)
            {
                await stderr.WriteLineAsync($"thaw bench coldstart: {e.Message}");
                return 1;
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        });
        return command;
    }

    private static async Task PrintAsync(TextWriter stdout, Runner runner, List<Scenario> scenarios, Dictionary<string, List<Sample>> results, int rounds)
    {
        double baseline = Median(results["origin"], s => s.FirstResponseMs);
        (string Title, Func<Sample, double> Value)[] rows =
        [
            ("process start -> host ready", s => s.HostReadyMs),
            ("host ready -> model load starts", s => s.LoadStartedMs - s.HostReadyMs),
            ("  snapshot lookup and files", s => s.FilesMs),
            ("  tokenizer", s => s.TokenizerMs),
            ("  session creation", s => s.SessionMs),
            ("  warm-up runs", s => s.WarmUpMs),
            ("process start -> model ready", s => s.ReadyMs),
            ("process start -> first 200 (client)", s => s.FirstResponseMs),
        ];
        var builder = new StringBuilder();
        builder.AppendLine(CultureInfo.InvariantCulture, $"cold start of '{runner.Executable}' serve, model {runner.ModelId ?? "(default)"}, " +
            $"{Environment.ProcessorCount} cores, median of {rounds} starts per scenario (ms)");
        int width = rows.Max(r => r.Title.Length) + 2;
        builder.Append("".PadRight(width));
        foreach (Scenario scenario in scenarios)
        {
            builder.Append(scenario.Title.PadLeft(32));
        }

        builder.AppendLine();
        foreach ((string title, Func<Sample, double> value) in rows)
        {
            builder.Append(title.PadRight(width));
            foreach (Scenario scenario in scenarios)
            {
                builder.Append(Median(results[scenario.Name], value).ToString("0", CultureInfo.InvariantCulture).PadLeft(32));
            }

            builder.AppendLine();
        }

        builder.Append("files served from".PadRight(width));
        foreach (Scenario scenario in scenarios)
        {
            Sample first = results[scenario.Name][0];
            builder.Append($"{first.Tier} ({first.BytesFetched / 1e6:0.0} MB fetched)".PadLeft(32));
        }

        builder.AppendLine();
        builder.Append("ratio to origin (first 200)".PadRight(width));
        foreach (Scenario scenario in scenarios)
        {
            builder.Append($"{Median(results[scenario.Name], s => s.FirstResponseMs) / baseline:0.00}x".PadLeft(32));
        }

        builder.AppendLine();
        if (results.TryGetValue("floor", out List<Sample>? floor))
        {
            // What Thaw adds to the least a .NET program pays, phase by phase, for the same snapshot on the same disk.
            builder.AppendLine();
            builder.AppendLine("snapshot on local disk, Thaw against the floor program (medians, ms)");
            (string Title, Func<Sample, double> Value)[] phases =
            [
                ("process start -> host ready / main", s => s.HostReadyMs),
                ("  tokenizer", s => s.TokenizerMs),
                ("  session creation", s => s.SessionMs),
                ("  warm-up runs / the one run", s => s.WarmUpMs),
                ("process start -> first 200 / result", s => s.FirstResponseMs),
            ];
            builder.AppendLine($"{"".PadRight(width)}{"thaw",12}{"floor",12}{"ratio",12}");
            foreach ((string title, Func<Sample, double> value) in phases)
            {
                double thaw = Median(results["local"], value);
                double least = Median(floor, value);
                builder.AppendLine(CultureInfo.InvariantCulture,
                    $"{title.PadRight(width)}{thaw,12:0}{least,12:0}{(least > 0 ? $"{thaw / least:0.00}x" : "-"),12}");
            }
        }

        await stdout.WriteAsync(builder.ToString());
    }

    private static double Median(List<Sample> samples, Func<Sample, double> value)
    {
        List<double> sorted = samples.Select(value).Order().ToList();
        return Percentile.NearestRank(sorted, 0.5);
    }

    /// <summary>
    /// How a measured <c>thaw serve</c> is started: every setting (the storage connection string and any
    /// <c>--set</c>/<c>--set-file</c> secret among them) goes through its environment as <c>Thaw__Section__Key</c>,
    /// never its argv, which any user of the machine can read.
    /// </summary>
    /// <param name="executable">The apphost, or the <c>thaw.dll</c> that this <c>dotnet</c> process runs.</param>
    /// <param name="port">The loopback port to listen on.</param>
    /// <param name="settings">Configuration keys and values for the server.</param>
    internal static ProcessStartInfo ServerStartInfo(string executable, int port, IReadOnlyDictionary<string, string?> settings)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (executable != Environment.ProcessPath)
        {
            start.ArgumentList.Add(executable);
        }

        foreach (string argument in (string[])["serve", "--urls", $"http://127.0.0.1:{port}"])
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string key, string? value) in settings)
        {
            string name = key.Replace(":", "__", StringComparison.Ordinal);
            // Configuration keys ignore case and the environment does not: an inherited THAW__... must not win.
            foreach (string inherited in start.Environment.Keys.Where(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)).ToList())
            {
                start.Environment.Remove(inherited);
            }

            start.Environment[name] = value ?? "";
        }

        return start;
    }

    /// <summary>This very executable: the apphost (or the native executable), or <c>dotnet thaw.dll</c> when run that way.</summary>
    internal static string ThisExecutable { get; } = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet"
        ? Path.Combine(AppContext.BaseDirectory, typeof(BenchColdStartCommand).Assembly.GetName().Name + ".dll")
        : Environment.ProcessPath!;

    /// <summary>A loopback port free now (a server started right after takes it).</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record Scenario(string Name, string Title, string? Storage, bool WarmCache);

    /// <summary>
    /// The floor program (<c>thaw-floor</c>, shipped beside thaw): a bare ONNX Runtime + tokenizer program that creates
    /// the session from the same prepared snapshot and embeds one sentence. Timed from process start to its result line.
    /// </summary>
    private sealed class Floor(string modelPath, string vocabPath)
    {
        public static string Executable { get; } = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "thaw-floor.exe" : "thaw-floor");

        /// <summary>The snapshot that the seeding server left in <paramref name="cacheDirectory"/>.</summary>
        public static Floor FromCache(string cacheDirectory)
        {
            string[] manifests = Directory.GetFiles(Path.Combine(cacheDirectory, "snapshots"), "snapshot.json", SearchOption.AllDirectories);
            if (manifests.Length != 1)
            {
                throw new BenchFailedException($"the seeded cache holds {manifests.Length} snapshots, not one: {cacheDirectory}");
            }

            using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(manifests[0]));
            string directory = Path.GetDirectoryName(manifests[0])!;
            return new Floor(
                Path.Combine(directory, manifest.RootElement.GetProperty("model_file").GetString()!),
                Path.Combine(directory, manifest.RootElement.GetProperty("vocab_file").GetString()!));
        }

        public async Task<Sample> RunAsync(CancellationToken cancellationToken)
        {
            var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(modelPath);
            start.ArgumentList.Add(vocabPath);
            start.ArgumentList.Add("Thaw cold-start probe.");
            using var process = new Process { StartInfo = start };
            long started = Stopwatch.GetTimestamp();
            process.Start();
            Task<string> errors = process.StandardError.ReadToEndAsync(cancellationToken);
            string? line = await process.StandardOutput.ReadLineAsync(cancellationToken);
            double resultMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0 || line is null)
            {
                throw new BenchFailedException($"thaw-floor exited with code {process.ExitCode}: {await errors}");
            }

            using JsonDocument result = JsonDocument.Parse(line);
            double Ms(string name) => result.RootElement.GetProperty(name).GetDouble();
            double main = Ms("main_ms");
            return new Sample(resultMs, main, main, main + Ms("session_ms") + Ms("tokenizer_ms"), 0, Ms("tokenizer_ms"), Ms("session_ms"), Ms("run_ms"),
                "local-disk", 0, null);
        }
    }

    private sealed record Sample(
        double FirstResponseMs, double HostReadyMs, double LoadStartedMs, double ReadyMs,
        double FilesMs, double TokenizerMs, double SessionMs, double WarmUpMs, string Tier, long BytesFetched, string? StoreProblem);

    private sealed class BenchFailedException(string message) : Exception(message);

    /// <summary>Starts one <c>thaw serve</c> process at a time and measures it.</summary>
    private sealed class Runner(string? modelId, IReadOnlyDictionary<string, string?> overrides)
    {
        private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(2);
        private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(60) };

        public string? ModelId => modelId;

        public string Executable => ThisExecutable;

        /// <param name="cacheDirectory">The server's Thaw:CacheDirectory.</param>
        /// <param name="storage">The server's snapshot store, or null for none.</param>
        /// <param name="cancellationToken">Stops the run.</param>
        /// <param name="waitForSnapshot">Keep the server until it has written (and published) the snapshot it built.</param>
        public async Task<Sample> StartAsync(string cacheDirectory, string? storage, CancellationToken cancellationToken, bool waitForSnapshot = false)
        {
            int port = FreePort();
            var settings = new Dictionary<string, string?>(overrides, StringComparer.OrdinalIgnoreCase)
            {
                ["Thaw:CacheDirectory"] = cacheDirectory,
                ["Thaw:Storage:ConnectionString"] = storage ?? "",
                ["Logging:LogLevel:Default"] = "Warning",
            };
            if (modelId is not null)
            {
                settings["Thaw:Models:Prewarm:0"] = modelId;
            }

            ProcessStartInfo start = ServerStartInfo(Executable, port, settings);
            string body = new JsonObject { ["model"] = modelId, ["input"] = "Thaw cold-start probe." }.ToJsonString();
            var output = new StringBuilder();
            using var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => Append(output, e.Data);
            process.ErrorDataReceived += (_, e) => Append(output, e.Data);

            long started = Stopwatch.GetTimestamp();
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                double firstResponse = await FirstResponseAsync(process, port, body, started, output, cancellationToken);
                while (true)
                {
                    using HttpResponseMessage ready = await _client.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"), cancellationToken);
                    using JsonDocument readiness = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(cancellationToken));
                    JsonElement model = Prewarmed(readiness.RootElement);
                    bool snapshotPending = model.GetProperty("load").GetProperty("snapshot_built").GetBoolean()
                        && model.GetProperty("snapshot_publish").ValueKind == JsonValueKind.Null;
                    if (!waitForSnapshot || !snapshotPending)
                    {
                        return Measure(readiness.RootElement, model, firstResponse);
                    }

                    if (Stopwatch.GetElapsedTime(started) > StartLimit)
                    {
                        throw new BenchFailedException($"the seeding server did not finish writing its snapshot within {StartLimit.TotalSeconds:0} s: {Tail(output)}");
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
                }
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }

        private async Task<double> FirstResponseAsync(Process process, int port, string body, long started, StringBuilder output, CancellationToken cancellationToken)
        {
            var address = new Uri($"http://127.0.0.1:{port}/v1/embeddings");
            while (Stopwatch.GetElapsedTime(started) < StartLimit)
            {
                if (process.HasExited)
                {
                    throw new BenchFailedException($"thaw serve exited with code {process.ExitCode}: {Tail(output)}");
                }

                try
                {
                    using var content = new StringContent(body, Encoding.UTF8, "application/json");
                    using HttpResponseMessage response = await _client.PostAsync(address, content, cancellationToken);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    }

                    if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                    {
                        throw new BenchFailedException($"/v1/embeddings answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet: the poll interval bounds the measurement error.
                }

                await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
            }

            throw new BenchFailedException($"no answer within {StartLimit.TotalSeconds:0} s: {Tail(output)}");
        }

        private static JsonElement Prewarmed(JsonElement readiness) =>
            readiness.GetProperty("models").EnumerateArray().First(m => m.GetProperty("prewarm").GetBoolean());

        private static Sample Measure(JsonElement readiness, JsonElement model, double firstResponse)
        {
            JsonElement instance = readiness.GetProperty("instance");
            JsonElement load = model.GetProperty("load");
            return new Sample(
                firstResponse,
                instance.GetProperty("host_ready_ms").GetDouble(),
                load.GetProperty("started_ms").GetDouble(),
                load.GetProperty("ready_ms").GetDouble(),
                load.GetProperty("files_ms").GetDouble(),
                load.GetProperty("tokenizer_ms").GetDouble(),
                load.GetProperty("session_ms").GetDouble(),
                load.GetProperty("warm_up_ms").GetDouble(),
                load.GetProperty("files_tier").GetString()!,
                load.GetProperty("bytes_fetched").GetInt64(),
                load.TryGetProperty("snapshot_store_problem", out JsonElement problem) ? problem.GetString() : null);
        }

        private static void Append(StringBuilder output, string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }
        }

        private static string Tail(StringBuilder output)
        {
            lock (output)
            {
                string text = output.ToString().Trim();
                return text.Length <= 2000 ? text : text[^2000..];
            }
        }
    }
}
