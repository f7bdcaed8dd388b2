using Thaw.Inference.Models;
using Thaw.Testing;

namespace Thaw.Http.Tests.Completions;

/// <summary>
/// A failure after a stream's headers went out can only be told in the stream: one error event in the OpenAI envelope,
/// then the end without <c>[DONE]</c>; the model goes on serving the next request.
/// </summary>
public sealed class CompletionStreamFaultTests
{
    [Fact]
    public async Task CompletionStream_BackendFailsMidStream_OneErrorEventWithoutDone_AndTheNextRequestIsServed()
    {
        using var stepped = SteppedDecoderBackend.OverOnnx();
        await using LoopbackServer server = await CompletionServer.StartAsync(new() { ["Thaw:Models:Prewarm:0"] = "none" }, stepped);
        try
        {
            await server.App.Services.GetRequiredService<ModelHost>().LoadAsync(CompletionServer.TextOnly);
            string body = $$"""{"model": "{{CompletionServer.TextOnly}}", "prompt": "Go on", "max_tokens": 40, "logit_bias": {{CompletionServer.NoEndOfText}}, "stream": true}""";
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = CompletionServer.Json(body) };
            stepped.Hold();
            stepped.Allow(4);
            using HttpResponseMessage response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            string first = (await reader.ReadLineAsync())!;
            Assert.StartsWith("data: {", first, StringComparison.Ordinal);

            stepped.FailNextStep(new InvalidOperationException("injected decode failure"));
            stepped.Open();
            IReadOnlyList<string> events = SseEvents.Parse(first + "\n" + await reader.ReadToEndAsync());

            Assert.DoesNotContain("[DONE]", events);
            JsonElement error = JsonDocument.Parse(events[^1]).RootElement.GetProperty("error");
            Assert.Equal("server_error", error.GetProperty("type").GetString());
            // The log has the cause; the client is not shown the exception's text.
            Assert.DoesNotContain("injected", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.All(events.SkipLast(1), e => Assert.DoesNotContain("\"error\"", e, StringComparison.Ordinal));

            using HttpResponseMessage next = await server.Client.PostAsync("/v1/completions", CompletionServer.Json(body.Replace("true", "false", StringComparison.Ordinal)));
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
            Assert.Equal("length", JsonDocument.Parse(await next.Content.ReadAsStringAsync()).RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        }
        finally
        {
            stepped.Open();
        }
    }
}
