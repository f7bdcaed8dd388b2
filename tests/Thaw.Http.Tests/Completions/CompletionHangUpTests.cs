using Thaw.Inference.Models;
using Thaw.Testing;

namespace Thaw.Http.Tests.Completions;

/// <summary>A client that hangs up mid-stream frees its slot: the request's token reaches the completion.</summary>
public sealed class CompletionHangUpTests
{
    private const int MaxTokens = 100;

    [Theory]
    [InlineData("/v1/chat/completions", """ "messages": [{"role": "user", "content": "Go on"}] """)]
    [InlineData("/v1/completions", """ "prompt": "Go on" """)]
    public async Task CompletionStream_ClientHangsUpMidStream_TheSlotIsFreed_BeforeMaxTokens(string path, string prompt)
    {
        using var stepped = SteppedDecoderBackend.OverOnnx();
        await using LoopbackServer server = await CompletionServer.StartAsync(new() { ["Thaw:Models:Prewarm:0"] = CompletionServer.Chat }, stepped);
        try
        {
            await server.App.Services.GetRequiredService<ModelHost>().LoadAsync(CompletionServer.Chat);
            string model = path.Contains("chat", StringComparison.Ordinal) ? CompletionServer.Chat : CompletionServer.TextOnly;
            await server.App.Services.GetRequiredService<ModelHost>().LoadAsync(model);
            using var request = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = CompletionServer.Json($$"""{"model": "{{model}}", {{prompt}}, "max_tokens": {{MaxTokens}}, "logit_bias": {{CompletionServer.NoEndOfText}}, "stream": true}"""),
            };

            // The prefill and a few decode steps: enough for the first chunks, far from max_tokens.
            stepped.Hold();
            stepped.Allow(4);
            // No drain: HttpClient would otherwise read the rest of the stream to reuse the connection, and not hang up.
            using var client = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = server.Client.BaseAddress };
            HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Stream body = await response.Content.ReadAsStreamAsync();
            using (var reader = new StreamReader(body, leaveOpen: true))
            {
                Assert.StartsWith("data: {", await reader.ReadLineAsync(), StringComparison.Ordinal);
            }

            Assert.Equal(1, (await GenerationAsync(server, model)).GetProperty("running").GetInt32());

            // Hang up, then let the model step on one step at a time: the cancellation must end it long before max_tokens.
            response.Dispose();
            await Eventually.WaitUntilAsync(async () =>
            {
                stepped.Allow(1);
                return (await GenerationAsync(server, model)).GetProperty("running").GetInt32() == 0;
            });
            JsonElement generation = await GenerationAsync(server, model);
            Assert.InRange(generation.GetProperty("generated_tokens").GetInt64(), 1, MaxTokens - 10);
            Assert.Equal(0, generation.GetProperty("queued").GetInt32());
        }
        finally
        {
            stepped.Open();
        }
    }

    private static async Task<JsonElement> GenerationAsync(LoopbackServer server, string model)
    {
        using HttpResponseMessage ready = await server.Client.GetAsync("/readyz");
        using JsonDocument body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("id").GetString() == model).GetProperty("generation").Clone();
    }
}
