using System.Diagnostics.Metrics;
using Thaw.Inference.Telemetry;

namespace Thaw.Inference.Batching;

/// <summary>Batching instruments, tagged by model: batch size, queue wait, inference time, tokens, rejections.</summary>
public sealed class BatchingMetrics
{
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _queueWait;
    private readonly Histogram<double> _inferenceTime;
    private readonly Counter<long> _tokens;
    private readonly Counter<long> _inputs;
    private readonly Counter<long> _rejected;

    /// <param name="meterFactory">The host's factory (null outside a host: a standalone meter).</param>
    public BatchingMetrics(IMeterFactory? meterFactory)
    {
        Meter meter = meterFactory?.Create(ThawTelemetry.MeterName) ?? new Meter(ThawTelemetry.MeterName);
        _batchSize = meter.CreateHistogram<int>("thaw.batch.size", "{input}", "Inputs per forward pass.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        var seconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] };
        _queueWait = meter.CreateHistogram("thaw.batch.queue_wait", "s", "Time an input waited for its batch.", advice: seconds);
        _inferenceTime = meter.CreateHistogram("thaw.batch.inference_time", "s", "Duration of one forward pass.", advice: seconds);
        _tokens = meter.CreateCounter<long>("thaw.tokens", "{token}", "Tokens processed (rate = tokens per second).");
        _inputs = meter.CreateCounter<long>("thaw.inputs", "{input}", "Inputs processed.");
        _rejected = meter.CreateCounter<long>("thaw.rejected", "{input}", "Inputs refused because the queue was full.");
    }

    internal void Batch(string model, int size, int tokens, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("thaw.model", model);
        _batchSize.Record(size, tag);
        _inferenceTime.Record(duration.TotalSeconds, tag);
        _tokens.Add(tokens, tag);
        _inputs.Add(size, tag);
    }

    internal void QueueWait(string model, TimeSpan waited) =>
        _queueWait.Record(waited.TotalSeconds, new KeyValuePair<string, object?>("thaw.model", model));

    internal void Rejected(string model, int inputs) =>
        _rejected.Add(inputs, new KeyValuePair<string, object?>("thaw.model", model));
}
