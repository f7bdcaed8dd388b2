using System.CommandLine;
using System.Globalization;
using Thaw.Cli.Simulation;

namespace Thaw.Cli.Commands;

/// <summary>
/// <c>thaw simulate</c>: replays arrival traces (a CSV file or seeded synthetic ones) against keep-alive policies and
/// reports the trade each makes: cold starts and their added latency against idle loaded time and its cost.
/// </summary>
internal static class SimulateCommand
{
    private static readonly string[] AllSynthetic = ["rare", "periodic", "diurnal", "bursty"];

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var trace = new Option<string?>("--trace")
        {
            Description = "A CSV trace: lines 'timestamp,model', sorted by time; timestamps ISO-8601 (2024-05-01T12:00:00Z) or seconds; " +
                "an optional header line 'timestamp,model'.",
            HelpName = "file.csv",
        };
        var synthetic = new Option<string[]>("--synthetic")
        {
            Description = "Synthetic traces instead: rare (a few requests a day), periodic (15/30/60-minute timers), diurnal (cadence " +
                "follows working hours), bursty (bursts hours apart). Repeatable or comma-separated. Default, without --trace: all four.",
            HelpName = "rare|periodic|diurnal|bursty",
            AllowMultipleArgumentsPerToken = true,
        };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic traces: the same seed gives the same trace.", DefaultValueFactory = _ => 1 };
        var duration = new Option<string>("--duration") { Description = "Length of each synthetic trace, e.g. 7d, 36h.", DefaultValueFactory = _ => "7d" };
        var policies = new Option<string>("--policies")
        {
            Description = $"Comma-separated policies, each {SimulatedPolicy.Syntax}: a fixed keep-alive window, or the histogram " +
                "policy with its pre-warm and keep-alive percentiles of idle times (default 5-99) and range (default 4h).",
            DefaultValueFactory = _ => SimulatedPolicy.Defaults,
        };
        var coldStart = new Option<string>("--cold-start")
        {
            Description = "Time to load a model (a cold start's added latency). Default 1.3s: all-minilm-l6-v2's load measured by " +
                "'thaw bench model' on a 2-core machine (file verification, session creation, warm-up).",
            DefaultValueFactory = _ => "1.3s",
        };
        var price = new Option<string>("--gpu-price") { Description = "US dollars per hour of a loaded instance, for the cost column.", DefaultValueFactory = _ => "1.20" };
        var csv = new Option<string?>("--csv") { Description = "Also write every row as CSV to this file.", HelpName = "out.csv" };
        var chart = new Option<string?>("--chart") { Description = "Also write the chart (cold starts against idle instance-hours, a panel per trace) as SVG.", HelpName = "out.svg" };
        var command = new Command("simulate",
            "Replay arrival traces against keep-alive policies, one instance per model, event by event. For each policy: cold starts " +
            "(count and rate), added latency p50/p99, idle instance-hours (loaded, not serving) and the cost of loaded time. " +
            "The histogram policy learns each model's idle times as the trace goes (Shahrad et al., Serverless in the Wild, 2020).")
        {
            trace, synthetic, seed, duration, policies, coldStart, price, csv, chart,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            Run run;
            try
            {
                run = Prepare(parse.GetValue(trace), parse.GetValue(synthetic) ?? [], parse.GetValue(seed), parse.GetValue(duration)!,
                    parse.GetValue(policies)!, parse.GetValue(coldStart)!, parse.GetValue(price)!);
            }
            catch (Exception e) when (e is ArgumentException or TraceFormatException or IOException or UnauthorizedAccessException)
            {
                await stderr.WriteLineAsync($"thaw simulate: {e.Message}");
                return 2;
            }

            var results = run.Traces.Select(t => run.Policies.Select(p => (p, KeepAliveSimulator.Run(t, p.Label, p.Policy, run.Settings, p.HistogramShape))).ToList()).ToList();
            foreach (List<(SimulatedPolicy, SimulationResult)> rows in results)
            {
                await WriteTableAsync(stdout, rows, run.Settings);
            }

            if (parse.GetValue(csv) is { } csvPath)
            {
                await File.WriteAllTextAsync(csvPath, ToCsv(results.SelectMany(r => r).Select(r => r.Item2)), cancellationToken);
            }

            if (parse.GetValue(chart) is { } chartPath)
            {
                await File.WriteAllTextAsync(chartPath, SimulationChart.Render(results, run.Settings.GpuPricePerHour), cancellationToken);
            }

            return 0;
        });
        return command;
    }

    private sealed record Run(IReadOnlyList<ArrivalTrace> Traces, IReadOnlyList<SimulatedPolicy> Policies, SimulationSettings Settings);

    private static Run Prepare(string? tracePath, string[] synthetic, int seed, string duration, string policies, string coldStart, string price)
    {
        if (!Durations.TryParse(coldStart, out TimeSpan load))
        {
            throw new ArgumentException($"--cold-start '{coldStart}' is not a duration such as 1.3s or 800ms.");
        }

        if (!double.TryParse(price, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double dollars))
        {
            throw new ArgumentException($"--gpu-price '{price}' is not a number of dollars per hour such as 1.20.");
        }

        var settings = new SimulationSettings { ColdStart = load, GpuPricePerHour = dollars };
        settings.Validate();
        IReadOnlyList<SimulatedPolicy> parsed = SimulatedPolicy.ParseList(policies);
        if (parsed.Count == 0)
        {
            throw new ArgumentException("--policies names no policy.");
        }

        string[] kinds = [.. synthetic.SelectMany(s => s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))];
        if (tracePath is not null && kinds.Length > 0)
        {
            throw new ArgumentException("give either --trace or --synthetic, not both.");
        }

        if (tracePath is not null)
        {
            using StreamReader reader = File.OpenText(tracePath);
            return new Run([TraceReader.Read(reader, Path.GetFileName(tracePath))], parsed, settings);
        }

        if (!Durations.TryParse(duration, out TimeSpan length) || length <= TimeSpan.Zero || length > TimeSpan.FromDays(366))
        {
            throw new ArgumentException($"--duration '{duration}' is not a positive duration of at most a year, such as 7d.");
        }

        var traces = new List<ArrivalTrace>();
        foreach (string kind in kinds.Length > 0 ? kinds : AllSynthetic)
        {
            if (!AllSynthetic.Contains(kind, StringComparer.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"--synthetic '{kind}' is not one of {string.Join(", ", AllSynthetic)}.");
            }

            traces.Add(SyntheticTraces.Generate(Enum.Parse<SyntheticTraceKind>(kind, ignoreCase: true), seed, length));
        }

        return new Run(traces, parsed, settings);
    }

    private static async Task WriteTableAsync(TextWriter stdout, List<(SimulatedPolicy Policy, SimulationResult Result)> rows, SimulationSettings settings)
    {
        SimulationResult first = rows[0].Result;
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"trace {first.Trace}: {first.Requests} requests; cold start {Durations.Format(settings.ColdStart)}, ${settings.GpuPricePerHour:0.00}/h"));
        string[][] table =
        [
            ["POLICY", "COLD STARTS", "RATE", "P50", "P99", "IDLE INST-H", "LOADING INST-H", "COST"],
            .. rows.Select(r => new[]
            {
                r.Policy.Label,
                r.Result.ColdStarts.ToString(CultureInfo.InvariantCulture),
                r.Result.ColdStartRate.ToString("P1", CultureInfo.InvariantCulture),
                Seconds(r.Result.LatencyP50),
                Seconds(r.Result.LatencyP99),
                (r.Result.IdleInstanceSeconds / 3600).ToString("0.0", CultureInfo.InvariantCulture),
                (r.Result.LoadingInstanceSeconds / 3600).ToString("0.00", CultureInfo.InvariantCulture),
                r.Result.Cost.ToString("$0.00", CultureInfo.InvariantCulture),
            }),
        ];
        int[] widths = Enumerable.Range(0, table[0].Length).Select(c => table.Max(r => r[c].Length)).ToArray();
        foreach (string[] row in table)
        {
            // The policy column reads left-aligned, the numbers right-aligned.
            await stdout.WriteLineAsync(string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))));
        }

        await stdout.WriteLineAsync();
    }

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + "s";

    private static string ToCsv(IEnumerable<SimulationResult> results) =>
        "trace,policy,requests,cold_starts,cold_start_rate,latency_p50_s,latency_p99_s,idle_instance_seconds,loading_instance_seconds,cost_usd\n" +
        string.Concat(results.Select(r => string.Create(CultureInfo.InvariantCulture,
            $"{r.Trace},{r.Policy},{r.Requests},{r.ColdStarts},{r.ColdStartRate:0.######},{r.LatencyP50.TotalSeconds:0.###},{r.LatencyP99.TotalSeconds:0.###},{r.IdleInstanceSeconds:0.#},{r.LoadingInstanceSeconds:0.#},{r.Cost:0.####}\n")));
}
