using Thaw.Inference.Models;
using Thaw.Testing;

namespace Thaw.Http.Tests.Completions;

/// <summary>A model evicted for another while it streams finishes the stream first; the other model loads after it.</summary>
public sealed class CompletionEvictionTests
{
    private const int MaxTokens = 40;

    [Fact]
    public async Task CompletionStream_ModelEvictedMidStream_TheStreamFinishes_ThenTheOtherModelLoads()
    {
        long budget = await BudgetForOneDecoderAsync();
        using var stepped = SteppedDecoderBackend.OverOnnx();
        await using LoopbackServer server = await CompletionServer.StartAsync(
            new() { ["Thaw:Models:Prewarm:0"] = "none", ["Thaw:Models:MemoryBudgetBytes"] = budget.ToString(CultureInfo.InvariantCulture) }, stepped);
        ModelHost models = server.App.Services.GetRequiredService<ModelHost>();
        try
        {
            await models.LoadAsync(CompletionServer.TextOnly);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
            {
                Content = CompletionServer.Json($$"""{"model": "{{CompletionServer.TextOnly}}", "prompt": "Go on", "max_tokens": {{MaxTokens}}, "logit_bias": {{CompletionServer.NoEndOfText}}, "stream": true}"""),
            };
            stepped.Hold();
            stepped.Allow(4);
            using HttpResponseMessage response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            string first = (await reader.ReadLineAsync())!;
            Assert.StartsWith("data: {", first, StringComparison.Ordinal);

            // The other decoder does not fit beside it: loading it evicts the streaming one, which is still mid-stream.
            Task<ILoadedModel> other = models.LoadAsync(CompletionServer.Chat);
            await Eventually.WaitUntilAsync(() => models.GetStatus(CompletionServer.TextOnly).State == ModelState.Unloading);
            Assert.False(other.IsCompleted);
            stepped.Open();

            string stream = first + "\n" + await reader.ReadToEndAsync();
            IReadOnlyList<string> events = SseEvents.Parse(stream);
            Assert.Equal("[DONE]", events[^1]);
            Assert.DoesNotContain(events, e => e.Contains("\"error\"", StringComparison.Ordinal));
            IReadOnlyList<JsonElement> chunks = SseEvents.Chunks(stream);
            Assert.Equal("length", chunks.Select(c => c.GetProperty("choices")).Where(c => c.GetArrayLength() > 0)
                .Select(c => c[0].GetProperty("finish_reason")).Last(f => f.ValueKind == JsonValueKind.String).GetString());
            await other.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(ModelState.Cold, models.GetStatus(CompletionServer.TextOnly).State);
            Assert.Equal(ModelState.Ready, models.GetStatus(CompletionServer.Chat).State);
        }
        finally
        {
            stepped.Open();
        }
    }

    /// <summary>A budget that holds either tiny decoder (they are the same size) but not both.</summary>
    private static async Task<long> BudgetForOneDecoderAsync()
    {
        await using LoopbackServer probe = await CompletionServer.StartAsync(new() { ["Thaw:Models:Prewarm:0"] = "none" });
        ModelHost models = probe.App.Services.GetRequiredService<ModelHost>();
        await models.LoadAsync(CompletionServer.TextOnly);
        long loaded = models.GetStatus(CompletionServer.TextOnly).Bytes;
        long reserved = models.Catalog.Get(CompletionServer.Chat).ReservedBytes();
        return Math.Max(loaded, reserved) + Math.Min(loaded, reserved) / 2;
    }
}
