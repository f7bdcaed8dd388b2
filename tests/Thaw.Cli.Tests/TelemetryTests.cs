using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Thaw.Inference.Models;
using Thaw.Inference.Telemetry;
using Thaw.Testing;

namespace Thaw.Cli.Tests;

/// <summary>What the standalone host publishes: Prometheus metrics at /metrics and linked request/batch spans.</summary>
public sealed class TelemetryTests : IAsyncLifetime
{
    private readonly List<Activity> _batches = [];

    // The response can reach the client before the batch span that served it has stopped: wait for that span.
    private readonly TaskCompletionSource _linkedBatchStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActivityTraceId? _awaitedTrace;
    private ActivityListener _listener = null!;
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ThawTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (_batches)
                {
                    _batches.Add(activity);
                    if (_awaitedTrace is { } trace && activity.Links.Any(l => l.Context.TraceId == trace))
                    {
                        _linkedBatchStopped.TrySetResult();
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
        _app = StandaloneHost.Build("http://127.0.0.1:0", RealModels.HostSettings());
        await _app.StartAsync();
        await _app.Services.GetRequiredService<ModelHost>().LoadAsync(RealModels.MiniLm);
        _client = new HttpClient { BaseAddress = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _listener.Dispose();
    }

    [Fact]
    public async Task Metrics_AfterARequest_ExposeBatchSizeTokensAndWaitsPerModel()
    {
        using HttpResponseMessage response = await _client.PostAsJsonAsync("/v1/embeddings", new { input = new[] { "metrics please", "and again" } });
        response.EnsureSuccessStatusCode();

        string metrics = await _client.GetStringAsync("/metrics");

        Assert.Contains($"thaw_batch_size_count{{otel_scope_name=\"Thaw.Inference\",thaw_model=\"{RealModels.MiniLm}\"}}", metrics, StringComparison.Ordinal);
        Assert.Matches(@"thaw_tokens(_total)?\{[^}]*thaw_model=""all-minilm-l6-v2""[^}]*\} [1-9]", metrics);
        Assert.Contains("thaw_batch_queue_wait_seconds_bucket", metrics, StringComparison.Ordinal);
        Assert.Contains("thaw_batch_inference_time_seconds_bucket", metrics, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", metrics, StringComparison.Ordinal);
        // At least 1: other hosts in this test process publish under the same meter name.
        Assert.Matches(@"thaw_model_load_duration_seconds_count\{[^}]*thaw_phase=""session""[^}]*\} [1-9]", metrics);
    }

    [Fact]
    public async Task Traces_ABatchSpanLinksToTheRequestItServed()
    {
        var traceId = ActivityTraceId.CreateRandom();
        lock (_batches)
        {
            _awaitedTrace = traceId;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/embeddings") { Content = JsonContent.Create(new { input = "trace me" }) };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        using HttpResponseMessage response = await _client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        await _linkedBatchStopped.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Activity batch;
        lock (_batches)
        {
            batch = _batches.Single(a => a.Links.Any(l => l.Context.TraceId == traceId));
        }

        Assert.Equal("thaw.batch", batch.OperationName);
        Assert.NotEqual(traceId, batch.TraceId);
        Assert.Equal(RealModels.MiniLm, batch.GetTagItem("thaw.model"));
        Assert.Equal(1, batch.GetTagItem("thaw.batch.size"));
    }
}
