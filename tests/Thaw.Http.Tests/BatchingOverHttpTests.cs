using System.Net.Http.Json;
using Thaw.Inference.Batching;
using Thaw.Inference.Embeddings;
using Thaw.Inference.Models;
using Thaw.Testing;

namespace Thaw.Http.Tests;

/// <summary>The micro-batcher seen from outside: concurrent HTTP requests share forward passes, overload is a 429.</summary>
public sealed class BatchingOverHttpTests
{
    [Fact]
    public async Task ConcurrentRequests_ShareForwardPasses()
    {
        await using LoopbackServer server = await ThawApiServer.StartAsync(new());
        await server.App.Services.GetRequiredService<ModelHost>().LoadAsync(RealModels.MiniLm);

        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 48).Select(i =>
            server.Client.PostAsJsonAsync("/v1/embeddings", new { input = $"concurrent request number {i}" })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        using JsonDocument ready = JsonDocument.Parse(await server.Client.GetStringAsync("/readyz"));
        JsonElement batching = ready.RootElement.GetProperty("models").EnumerateArray()
            .Single(m => m.GetProperty("id").GetString() == RealModels.MiniLm).GetProperty("batching");
        Assert.Equal(48, batching.GetProperty("inputs").GetInt64());
        Assert.True(batching.GetProperty("mean_batch_size").GetDouble() > 1, $"mean batch size {batching.GetProperty("mean_batch_size")}");
    }

    [Fact]
    public async Task Overload_AnswersEveryRequestWith200Or429AndCountsTheRejections()
    {
        await using LoopbackServer server = await ThawApiServer.StartAsync(new() { ["Thaw:Batching:MaxQueuedInputs"] = "8" });
        await server.App.Services.GetRequiredService<ModelHost>().LoadAsync(RealModels.MiniLm);
        string[] eight = Enumerable.Range(0, 8).Select(i => $"overload input {i}").ToArray();

        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ =>
            server.Client.PostAsJsonAsync("/v1/embeddings", new { input = eight })));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        HttpResponseMessage[] rejected = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToArray();
        Assert.NotEmpty(rejected);
        Assert.All(rejected, r => Assert.True(r.Headers.RetryAfter is not null));
        using JsonDocument error = JsonDocument.Parse(await rejected[0].Content.ReadAsStringAsync());
        Assert.Equal("overloaded", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        BatchStatistics stats = ((EmbeddingActivity)server.App.Services.GetRequiredService<ModelHost>().GetStatus(RealModels.MiniLm).Activity!).Interactive;
        Assert.Equal(rejected.Length * 8, stats.Rejected);
    }

    [Fact]
    public async Task Start_MaxInputsAboveTheInteractiveQueue_FailsNamingBothKeys()
    {
        var e = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            ThawApiServer.StartAsync(new() { ["Thaw:Batching:MaxQueuedInputs"] = (ThawApiServer.MaxInputs - 1).ToString(CultureInfo.InvariantCulture) }));

        Assert.Contains("Thaw:Limits:MaxInputs", e.Message, StringComparison.Ordinal);
        Assert.Contains("Thaw:Batching:MaxQueuedInputs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shutdown_FinishesEveryRequestAlreadyReceived()
    {
        LoopbackServer server = await ThawApiServer.StartAsync(new());
        ModelHost models = server.App.Services.GetRequiredService<ModelHost>();
        await models.LoadAsync(RealModels.MiniLm);
        string[] inputs = Enumerable.Range(0, ThawApiServer.MaxInputs).Select(i => string.Join(' ', Enumerable.Repeat($"slow input {i}", 40))).ToArray();
        const int Requests = 12;

        Task<HttpResponseMessage>[] sent = Enumerable.Range(0, Requests)
            .Select(_ => server.Client.PostAsJsonAsync("/v1/embeddings", new { input = inputs })).ToArray();
        await Eventually.WaitUntilAsync(() => sent.Any(t => t.IsCompleted && t.Result.StatusCode != HttpStatusCode.OK)
            || models.GetStatus(RealModels.MiniLm).Activity is EmbeddingActivity { Interactive: var s } && s.Inputs + s.Queued >= Requests * inputs.Length);
        Task stopping = server.App.StopAsync();

        HttpResponseMessage[] responses = await Task.WhenAll(sent);
        await stopping;
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await server.DisposeAsync();
    }
}
