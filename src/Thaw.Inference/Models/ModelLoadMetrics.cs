using System.Diagnostics.Metrics;
using Thaw.Inference.Sources;
using Thaw.Inference.Telemetry;

namespace Thaw.Inference.Models;

/// <summary>Cold-start instruments: each load phase's duration and the bytes fetched, tagged by model and tier.</summary>
public sealed class ModelLoadMetrics
{
    private readonly Histogram<double> _phase;
    private readonly Counter<long> _bytesFetched;

    /// <param name="meterFactory">The host's factory (null outside a host: a standalone meter).</param>
    public ModelLoadMetrics(IMeterFactory? meterFactory)
    {
        Meter meter = meterFactory?.Create(ThawTelemetry.MeterName) ?? new Meter(ThawTelemetry.MeterName);
        _phase = meter.CreateHistogram("thaw.model.load.duration", "s", "Duration of one phase of a model load (files, tokenizer, session, warm_up, total).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180] });
        _bytesFetched = meter.CreateCounter<long>("thaw.model.load.bytes_fetched", "By", "Bytes fetched from the snapshot store or the origin while loading.");
    }

    internal void Record(string model, ModelLoadTimings timings)
    {
        var modelTag = new KeyValuePair<string, object?>("thaw.model", model);
        var tierTag = new KeyValuePair<string, object?>("thaw.files.tier", timings.FilesTier.ToName());
        Record("files", timings.Files);
        Record("tokenizer", timings.Tokenizer);
        Record("session", timings.Session);
        Record("warm_up", timings.WarmUp);
        Record("total", timings.Total);
        _bytesFetched.Add(timings.BytesFetched, modelTag, tierTag);

        void Record(string phase, TimeSpan duration) =>
            _phase.Record(duration.TotalSeconds, modelTag, tierTag, new KeyValuePair<string, object?>("thaw.phase", phase));
    }
}
