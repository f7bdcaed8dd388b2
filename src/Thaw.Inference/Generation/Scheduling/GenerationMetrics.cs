using System.Diagnostics.Metrics;
using Thaw.Inference.Telemetry;

namespace Thaw.Inference.Generation.Scheduling;

/// <summary>
/// Generation instruments, tagged by model: time to first token, inter-token latency, tokens (rate = tokens per
/// second), slots in use, queue depth, step time by kind (prefill, decode, mixed) and rejections.
/// </summary>
public sealed class GenerationMetrics
{
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _interTokenLatency;
    private readonly Histogram<double> _stepDuration;
    private readonly Histogram<int> _stepRows;
    private readonly Counter<long> _tokens;
    private readonly UpDownCounter<int> _slotsInUse;
    private readonly UpDownCounter<int> _queueDepth;
    private readonly Counter<long> _rejected;

    /// <param name="meterFactory">The host's factory (null outside a host: a standalone meter).</param>
    public GenerationMetrics(IMeterFactory? meterFactory)
    {
        Meter meter = meterFactory?.Create(ThawTelemetry.MeterName) ?? new Meter(ThawTelemetry.MeterName);
        var seconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] };
        _timeToFirstToken = meter.CreateHistogram("thaw.generation.time_to_first_token", "s",
            "From submit to the first token delivered (queue wait and prefill included).", advice: seconds);
        _interTokenLatency = meter.CreateHistogram("thaw.generation.inter_token_latency", "s",
            "Between two consecutive tokens delivered to one request.", advice: seconds);
        _stepDuration = meter.CreateHistogram("thaw.generation.step.duration", "s",
            "One batched decoder run; thaw.generation.step.kind says whether it fed prompt chunks, decoded, or both.", advice: seconds);
        _stepRows = meter.CreateHistogram<int>("thaw.generation.step.rows", "{row}", "Sequences in one batched decoder run.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        _tokens = meter.CreateCounter<long>("thaw.generation.tokens", "{token}",
            "Tokens fed (thaw.token.type=input) and generated (output); rate = tokens per second.");
        _slotsInUse = meter.CreateUpDownCounter<int>("thaw.generation.slots_in_use", "{slot}", "KV-cache slots held by a request.");
        _queueDepth = meter.CreateUpDownCounter<int>("thaw.generation.queue_depth", "{request}", "Requests waiting for a slot.");
        _rejected = meter.CreateCounter<long>("thaw.generation.rejected", "{request}", "Requests refused because the queue was full.");
    }

    internal void FirstToken(string model, TimeSpan sinceSubmit) =>
        _timeToFirstToken.Record(sinceSubmit.TotalSeconds, Model(model));

    internal void NextToken(string model, TimeSpan sinceLast) =>
        _interTokenLatency.Record(sinceLast.TotalSeconds, Model(model));

    internal void Step(string model, int rows, int promptTokens, int generatedTokens, int decodeRows, TimeSpan duration)
    {
        string kind = promptTokens == 0 ? "decode" : decodeRows == 0 ? "prefill" : "mixed";
        _stepDuration.Record(duration.TotalSeconds, Model(model), new("thaw.generation.step.kind", kind));
        _stepRows.Record(rows, Model(model));
        if (promptTokens > 0)
        {
            _tokens.Add(promptTokens, Model(model), new("thaw.token.type", "input"));
        }

        if (generatedTokens > 0)
        {
            _tokens.Add(generatedTokens, Model(model), new("thaw.token.type", "output"));
        }
    }

    internal void SlotsInUse(string model, int delta) => _slotsInUse.Add(delta, Model(model));

    internal void Queued(string model, string profile, int delta) =>
        _queueDepth.Add(delta, Model(model), new("thaw.profile", profile));

    internal void Rejected(string model, string profile) =>
        _rejected.Add(1, Model(model), new("thaw.profile", profile));

    private static KeyValuePair<string, object?> Model(string model) => new("thaw.model", model);
}
