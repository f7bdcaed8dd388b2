using System.CommandLine;
using System.Diagnostics;
using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.Generation.Decoding;
using Thaw.Inference.Generation.Sampling;
using Thaw.Inference.Generation.Scheduling;
using Thaw.Inference.Onnx.Generation.Synthetic;

namespace Thaw.Cli.Commands;

/// <summary>
/// <c>thaw bench generate</c>: what continuous batching buys on this machine, measured side by side in one run on a
/// synthetic decoder through the real scheduler and ONNX Runtime session: aggregate tokens/s and latencies at
/// several numbers of concurrent streams, the memory-bandwidth limit of batch-1 decoding, and continuous against
/// static batching on a staggered arrival trace.
/// </summary>
internal static class BenchGenerateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var size = new Option<string>("--size")
        {
            Description = "The synthetic decoder: tiny (for a quick check), small (about 17 M parameters) or medium (about 100 M, memory-bound at batch 1 on a CPU).",
            DefaultValueFactory = _ => "medium",
        };
        size.AcceptOnlyFromAmong([.. SyntheticDecoderFile.Sizes]);
        var layout = new Option<string>("--layout")
        {
            Description = "gqa (onnxruntime-genai's model builder: slots in one shared KV buffer) or optimum (Hugging Face optimum's Concat export).",
            DefaultValueFactory = _ => "gqa",
        };
        layout.AcceptOnlyFromAmong([.. SyntheticDecoderFile.Layouts]);
        var streams = new Option<int[]>("--streams", "-c")
        {
            Description = "Numbers of concurrent streams to measure (repeat or list them); 1 is the reference, continuous batching off.",
            DefaultValueFactory = _ => [1, 4, 16, 64],
            AllowMultipleArgumentsPerToken = true,
        };
        streams.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int[]>() is { } values && (values.Length == 0 || values.Any(v => v is < 1 or > 256)))
            {
                r.AddError("--streams takes 1 to 256 streams per measurement.");
            }
        });
        var tokens = new Option<int>("--tokens", "-n") { Description = "Tokens each stream generates.", DefaultValueFactory = _ => 64 };
        var promptTokens = new Option<int>("--prompt-tokens") { Description = "Prompt tokens of each stream.", DefaultValueFactory = _ => 32 };
        var trace = new Option<int>("--trace-requests")
        {
            Description = "Requests of the staggered arrival trace (continuous against static batching); 0 skips it.",
            DefaultValueFactory = _ => 16,
        };
        foreach ((Option<int> option, int least) in new[] { (tokens, 2), (promptTokens, 1), (trace, 0) })
        {
            option.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<int>() < least)
                {
                    r.AddError($"{option.Name} must be at least {least}.");
                }
            });
        }

        var command = new Command("generate",
            "Measure text generation in-process on a synthetic decoder (random weights): aggregate decode tokens/s, time to first token " +
            "and inter-token latency at each --streams count against one stream, batch-1 decoding against a memory-bandwidth probe, " +
            "and mean time to first token with continuous against static batching when requests arrive one after another.")
        {
            size, layout, streams, tokens, promptTokens, trace,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new Settings(parse.GetValue(streams)!, parse.GetValue(tokens), parse.GetValue(promptTokens), parse.GetValue(trace));
            DirectoryInfo folder = Directory.CreateTempSubdirectory("thaw-bench-generate-");
            try
            {
                await stderr.WriteLineAsync($"bench generate: writing a {parse.GetValue(size)} synthetic {parse.GetValue(layout)} decoder...");
                SyntheticDecoderFile model = SyntheticDecoderFile.Write(Path.Combine(folder.FullName, "model.onnx"), parse.GetValue(size)!, parse.GetValue(layout)!);
                if (settings.ContextLength > model.MaxPositions)
                {
                    await stderr.WriteLineAsync($"bench generate: --prompt-tokens plus --tokens is {settings.ContextLength}; this model holds {model.MaxPositions} positions.");
                    return 2;
                }

                using IHost host = LocalHost.Build(ConfigurationOverrides.Read(parse));
                IDecoderBackend backend = host.Services.GetRequiredService<IDecoderBackend>();
                using IDecoderSession session = await backend.CreateSessionAsync(Manifest(model, settings), model.Path, cancellationToken);
                await stderr.WriteLineAsync("bench generate: probing memory bandwidth...");
                double bandwidth = BandwidthProbe.Measure();
                // Untimed: the first runs of each batch shape set up kernels and buffers (what a server's warm-up does).
                await stderr.WriteLineAsync("bench generate: warming up...");
                foreach (int count in settings.Streams.Distinct())
                {
                    await RunAsync(session, SchedulingMode.Continuous, Arrivals(count, TimeSpan.Zero), settings with { Tokens = 4 }, cancellationToken);
                }

                var report = new BenchGenerateReport(stdout, model, session.ExecutionProvider, bandwidth, settings);
                await report.WriteHeaderAsync();

                StreamsResult? reference = null;
                foreach (int count in settings.Streams)
                {
                    await stderr.WriteLineAsync($"bench generate: {count} concurrent streams...");
                    StreamsResult result = await RunAsync(session, SchedulingMode.Continuous, Arrivals(count, TimeSpan.Zero), settings, cancellationToken);
                    reference ??= count == 1 ? result : await RunAsync(session, SchedulingMode.Continuous, Arrivals(1, TimeSpan.Zero), settings, cancellationToken);
                    await report.WriteStreamsAsync(count, result, reference, RawDecodeStepMs(session, count, settings, cancellationToken));
                }

                if (settings.TraceRequests > 0)
                {
                    // One request every quarter of a lone request's duration: a static batch holds newcomers for most of it.
                    TimeSpan interval = reference!.Wall / 4;
                    await stderr.WriteLineAsync($"bench generate: {settings.TraceRequests} requests arriving every {interval.TotalMilliseconds:0} ms, continuous then static batching...");
                    IReadOnlyList<TimeSpan> arrivals = Arrivals(settings.TraceRequests, interval);
                    StreamsResult continuous = await RunAsync(session, SchedulingMode.Continuous, arrivals, settings, cancellationToken);
                    StreamsResult staticBatching = await RunAsync(session, SchedulingMode.Static, arrivals, settings, cancellationToken);
                    await report.WriteTraceAsync(interval, continuous, staticBatching);
                }

                await report.WriteTargetsAsync();
                return 0;
            }
            finally
            {
                folder.Delete(recursive: true);
            }
        });
        return command;
    }

    private static ModelManifest Manifest(SyntheticDecoderFile model, Settings settings) => new()
    {
        Id = "synthetic-decoder",
        Task = ModelTask.TextGeneration,
        License = "none (random weights)",
        Source = new ModelSourceSpec { Kind = "path", Path = Path.GetDirectoryName(model.Path) },
        Files = [],
        Tokenizer = new TokenizerSpec { Kind = TokenizerKinds.ByteLevelBpe },
        Generation = new GenerationSpec
        {
            ContextLength = settings.ContextLength,
            Slots = Math.Max(settings.Streams.Max(), settings.TraceRequests),
            Layout = model.Layout,
        },
    };

    private static TimeSpan[] Arrivals(int count, TimeSpan interval) => [.. Enumerable.Range(0, count).Select(i => interval * i)];

    /// <summary>Runs one request per arrival time through a new scheduler over <paramref name="session"/>, greedy, to their full length.</summary>
    private static async Task<StreamsResult> RunAsync(IDecoderSession session, SchedulingMode mode, IReadOnlyList<TimeSpan> arrivals, Settings settings, CancellationToken cancellationToken)
    {
        var options = new GenerationSchedulerOptions { Mode = mode };
        options.Interactive.MaxQueuedRequests = Math.Max(arrivals.Count, options.Interactive.MaxQueuedRequests);
        await using var scheduler = new GenerationScheduler("bench", session, options, TimeProvider.System);
        long started = Stopwatch.GetTimestamp();
        StreamTimes[] streams = await Task.WhenAll(arrivals.Select((at, i) => StreamAsync(i, at)));
        return new StreamsResult(streams, Stopwatch.GetElapsedTime(started));

        async Task<StreamTimes> StreamAsync(int index, TimeSpan at)
        {
            TimeSpan wait = at - Stopwatch.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }

            long submitted = Stopwatch.GetTimestamp();
            using GenerationStream stream = scheduler.Submit(new GenerationRequest
            {
                // Distinct prompts, so no two streams are the same computation.
                PromptTokens = Enumerable.Range(0, settings.PromptTokens).Select(j => (int)(((index * 7919L) + (j * 104729L) + 1) % session.VocabSize)).ToArray(),
                MaxTokens = settings.Tokens,
                Sampler = new TokenSampler(new SamplingParameters { Temperature = 0 }, session.VocabSize),
            }, BatchProfileKind.Interactive, cancellationToken);
            var arrived = new List<long>(settings.Tokens);
            await foreach (SampledToken _ in stream.Tokens.ReadAllAsync(cancellationToken))
            {
                arrived.Add(Stopwatch.GetTimestamp());
            }

            await stream.Completion;
            return new StreamTimes(submitted, arrived);
        }
    }

    /// <summary>
    /// The median time of one decode step of <paramref name="rows"/> sequences called on the session directly, with no
    /// scheduler: what the inter-token latency through the scheduler is compared with.
    /// </summary>
    private static double RawDecodeStepMs(IDecoderSession session, int rows, Settings settings, CancellationToken cancellationToken)
    {
        var logits = new float[(long)rows * session.VocabSize];
        DecoderInput[] prompts = [.. Enumerable.Range(0, rows).Select(slot => new DecoderInput(slot, Enumerable.Range(1, settings.PromptTokens).ToArray()))];
        DecoderInput[] step = [.. Enumerable.Range(0, rows).Select(slot => new DecoderInput(slot, new[] { slot % session.VocabSize }))];
        session.Run(prompts, logits, cancellationToken);
        var times = new List<double>(settings.Tokens - 1);
        for (int i = 0; i < settings.Tokens - 1; i++)
        {
            long started = Stopwatch.GetTimestamp();
            session.Run(step, logits, cancellationToken);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        for (int slot = 0; slot < rows; slot++)
        {
            session.Reset(slot);
        }

        times.Sort();
        return Percentile.NearestRank(times, 0.5);
    }

    internal sealed record Settings(int[] Streams, int Tokens, int PromptTokens, int TraceRequests)
    {
        public int ContextLength => PromptTokens + Tokens;
    }
}
