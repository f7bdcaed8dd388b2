using System.Net;
using System.Text.Json;
using Thaw.Functions.Tests.FunctionsHost;

namespace Thaw.Functions.Tests;

/// <summary>The real built worker started by the fake Functions host: handshake, indexing, load, and shutdown with and without a request in flight.</summary>
public sealed class WorkerLifecycleTests
{
    [Fact]
    public async Task StartAsync_RealWorker_IndexesTheFunctionsInFunctionsMetadataRunsTheTimerAndExitsOnTerminate()
    {
        await using FakeFunctionsHost host = await FakeFunctionsHost.StartAsync(WorkerSettings.Default());

        using JsonDocument metadata = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(host.AppDirectory, "functions.metadata")));
        Assert.Equal(
            metadata.RootElement.EnumerateArray().Select(f => f.GetProperty("name").GetString()).Order(),
            host.Functions.Keys.Order());
        Assert.All(host.Functions.Values, f => Assert.Equal("dotnet-isolated", f.Language));

        InvocationResponse prewarm = await host.InvokeTimerAsync("Prewarm");
        Assert.True(prewarm.Result.Status == StatusResult.Types.Status.Success, prewarm.Result.Exception?.Message);
        Assert.Equal(0, await host.StopAsync(FakeFunctionsHost.GracePeriod));
    }

    [Fact]
    public async Task StopAsync_RequestInFlight_RequestCompletesAndTheWorkerExitsWithZero()
    {
        await using FakeFunctionsHost host = await FakeFunctionsHost.StartAsync(WorkerSettings.Default());
        // The request is in its handler with the model loaded; a shutdown during the load is another case (the note's).
        await host.WaitForLogAsync("ready on");
        using HttpClient client = host.CreateClient();
        var body = new HeldContent("""{"input": "in flight at shutdown"}""");
        // Expect: 100-continue holds the body until the handler reads it: the request is then inside the worker.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/embeddings") { Content = body };
        request.Headers.ExpectContinue = true;
        Task<HttpResponseMessage> response = client.SendAsync(request);
        await body.Requested.WaitAsync(TimeSpan.FromSeconds(60));

        Task<int> exited = host.StopAsync(FakeFunctionsHost.GracePeriod);
        await host.WaitForLogAsync("Application is shutting down");
        body.Release();
        using HttpResponseMessage answered = await response;
        using JsonDocument embedding = JsonDocument.Parse(await answered.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(384, embedding.RootElement.GetProperty("data")[0].GetProperty("embedding").GetArrayLength());
        Assert.Equal(0, await exited);
    }

    /// <summary>A request body that is sent only when the test releases it, and says when the server asked for it.</summary>
    private sealed class HeldContent : HttpContent
    {
        private readonly byte[] _json;
        private readonly TaskCompletionSource _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public HeldContent(string json)
        {
            _json = Encoding.UTF8.GetBytes(json);
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        public Task Requested => _requested.Task;

        public void Release() => _released.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            _requested.TrySetResult();
            await _released.Task;
            await stream.WriteAsync(_json);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _json.Length;
            return true;
        }
    }
}
