using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using Thaw.Inference.Generation.Scheduling;
using Thaw.Inference.Telemetry;

namespace Thaw.Inference.Tests.Generation.Scheduling;

public sealed class GenerationMetricsTests
{
    [Fact]
    public async Task Step_OnAFakeClock_RecordsTimeToFirstTokenInterTokenLatencyTokensAndSlots()
    {
        string model = $"metrics-{Guid.NewGuid():N}";
        var measurements = new ConcurrentQueue<(string Name, double Value, string? Tag)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ThawTelemetry.MeterName && instrument.Name.StartsWith("thaw.generation.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? other = null;
            bool ours = false;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                ours |= tag.Key == "thaw.model" && (string?)tag.Value == model;
                other = tag.Key == "thaw.model" ? other : tag.Value as string;
            }

            if (ours)
            {
                measurements.Enqueue((instrument.Name, value, other));
            }
        }

        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        var time = new FakeTimeProvider();
        using var session = new FakeDecoderSession(slots: 1, vocabSize: 97, time: time) { StepDuration = TimeSpan.FromMilliseconds(10) };
        await using var scheduler = new GenerationScheduler(model, session, new GenerationSchedulerOptions(), time, new GenerationMetrics(null));

        GenerationStream stream = scheduler.Submit(new GenerationRequest { PromptTokens = new[] { 1, 2, 3 }, MaxTokens = 3, Sampler = new GreedySampler() });
        await stream.Completion;
        await scheduler.DrainAsync();

        double[] Values(string name, string? tag = null) => [.. measurements.Where(m => m.Name == name && (tag is null || m.Tag == tag)).Select(m => m.Value)];
        Assert.Equal(new[] { 0.01 }, Values("thaw.generation.time_to_first_token"));
        Assert.Equal(new[] { 0.01, 0.01 }, Values("thaw.generation.inter_token_latency"));
        Assert.Equal(3, Values("thaw.generation.tokens", "input").Sum());
        Assert.Equal(3, Values("thaw.generation.tokens", "output").Sum());
        Assert.Single(Values("thaw.generation.step.duration", "prefill"));
        Assert.Equal(2, Values("thaw.generation.step.duration", "decode").Length);
        Assert.Equal(new[] { 1.0, -1.0 }, Values("thaw.generation.slots_in_use"));
        Assert.Equal(0, Values("thaw.generation.queue_depth", "interactive").Sum());
    }
}
