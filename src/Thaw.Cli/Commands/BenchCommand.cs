using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Thaw.Inference.Embeddings;
using Thaw.Inference.Models;
using Thaw.Inference.Sources;

namespace Thaw.Cli.Commands;

/// <summary>
/// <c>thaw bench model</c>: load time and forward-pass latency of one model in this process, batch 1 against
/// batch 32 measured side by side, so the ratio holds even on a noisy machine.
/// </summary>
internal static class BenchCommand
{

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var model = new Option<string?>("--model", "-m") { Description = "Model id. Default: the catalog's default model." };
        var iterations = new Option<int>("--iterations", "-n")
        {
            Description = "Timed forward passes per batch size (after 3 untimed warm-up passes).",
            DefaultValueFactory = _ => 40,
        };
        iterations.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--iterations must be at least 1.");
            }
        });
        var command = new Command("model",
            "Measure one model in-process: load phases, batch-1 and batch-32 latency (median, p95), the throughput " +
            "gain of batching and process memory. Batch sizes alternate within one run so both see the same machine state.")
        {
            model, iterations,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using IHost host = LocalHost.Build(ConfigurationOverrides.Read(parse));
            await host.StartAsync(cancellationToken);
            ModelHost models = host.Services.GetRequiredService<ModelHost>();
            string modelId = parse.GetValue(model) ?? models.Catalog.DefaultModelId;

            long started = Stopwatch.GetTimestamp();
            EmbeddingModel loaded = await models.LoadAsync<EmbeddingModel>(modelId);
            TimeSpan load = Stopwatch.GetElapsedTime(started);
            ModelStatus status = models.GetStatus(modelId);

            int n = parse.GetValue(iterations);
            for (int i = 0; i < 3; i++)
            {
                loaded.Embed([BenchSentences.All[i]], cancellationToken: cancellationToken);
                loaded.Embed(BenchSentences.All, cancellationToken: cancellationToken);
            }

            var single = new List<double>(n);
            var batch = new List<double>(n);
            for (int i = 0; i < n; i++)
            {
                single.Add(Time(() => loaded.Embed([BenchSentences.All[i % BenchSentences.All.Length]], cancellationToken: cancellationToken)));
                batch.Add(Time(() => loaded.Embed(BenchSentences.All, cancellationToken: cancellationToken)));
                if (!Console.IsErrorRedirected)
                {
                    await stderr.WriteAsync($"\rbench {modelId}: {i + 1}/{n} passes of each batch size");
                }
            }

            if (!Console.IsErrorRedirected)
            {
                await stderr.WriteLineAsync();
            }

            using var process = Process.GetCurrentProcess();
            process.Refresh();
            single.Sort();
            batch.Sort();
            double single50 = Percentile.NearestRank(single, 0.5), batch50 = Percentile.NearestRank(batch, 0.5);
            var report = new List<(string, string)>
            {
                ("model", $"{modelId} on {status.ExecutionProvider}, {Environment.ProcessorCount} cores"),
                ("load total", Ms(load.TotalMilliseconds)),
                ("  files (tier, verified)", $"{Ms(status.Timings!.Files.TotalMilliseconds)} ({status.Timings.FilesTier.ToName()}, {status.Timings.BytesVerified / 1e6:0.0} MB)"),
                ("  session creation", Ms(status.Timings.Session.TotalMilliseconds)),
                ("  warm-up (batch 1 and a full batch)", Ms(status.Timings.WarmUp.TotalMilliseconds)),
                ("batch 1: median / p95", $"{Ms(single50)} / {Ms(Percentile.NearestRank(single, 0.95))}"),
                ($"batch {BenchSentences.All.Length}: median / p95", $"{Ms(batch50)} / {Ms(Percentile.NearestRank(batch, 0.95))}"),
                ($"batch {BenchSentences.All.Length}: per input", Ms(batch50 / BenchSentences.All.Length)),
                ($"throughput gain, batch {BenchSentences.All.Length} vs 1", $"{single50 * BenchSentences.All.Length / batch50:0.0}x"),
                ("process memory: working set / peak", $"{process.WorkingSet64 / (1 << 20)} MiB / {process.PeakWorkingSet64 / (1 << 20)} MiB"),
            };
            int width = report.Max(r => r.Item1.Length);
            foreach ((string name, string value) in report)
            {
                await stdout.WriteLineAsync($"{name.PadRight(width)}  {value}");
            }

            await host.StopAsync(CancellationToken.None);
            return 0;
        });
        return new Command("bench", "Benchmarks: 'model' in-process, 'http' over real HTTP with batching on and off, 'coldstart' from process start to the first answer, 'batch' a batch job against one request per input, 'generate' continuous batching on a synthetic decoder.")
        {
            command,
            BenchHttpCommand.Create(stdout, stderr),
            BenchColdStartCommand.Create(stdout, stderr),
            BenchBatchCommand.Create(stdout, stderr),
            BenchGenerateCommand.Create(stdout, stderr),
        };
    }

    private static double Time(Action action)
    {
        long started = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static string Ms(double milliseconds) => milliseconds.ToString(milliseconds < 10 ? "0.00" : "0", CultureInfo.InvariantCulture) + " ms";
}
