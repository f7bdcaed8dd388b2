using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;
using Thaw.Functions.Tests.FunctionsHost;
using Thaw.Testing;

namespace Thaw.Functions.Tests;

/// <summary>
/// Issue 12's routes in the Functions app: <c>/v1/chat/completions</c> and <c>/v1/completions</c> invoked through the
/// language-worker protocol and forwarded to the real worker's ASP.NET Core endpoint as the host forwards them, the
/// streamed answers read as the host's forwarder passes them on. Each must be the standalone host's answer.
/// </summary>
public sealed class CompletionsThroughWorkerTests(CompletionsWorkerFixture fixture) : IClassFixture<CompletionsWorkerFixture>
{
    [Fact]
    public async Task ChatStreaming_OpenAiSdkThroughTheWorker_IsTheStandaloneHostsAnswer_WithRoleFinishReasonAndUsage()
    {
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 20 };
        options.LogitBiases[TinyDecoderFolder.EndOfText] = -100;
        ChatMessage[] conversation = [new SystemChatMessage("Be brief."), new UserChatMessage("Tell me a story")];
        ChatCompletion standalone = (await Client(fixture.Standalone.Client).GetChatClient(CompletionsWorkerFixture.Model).CompleteChatAsync(conversation, options)).Value;

        using HttpClient viaHost = fixture.Host.CreateClient();
        ChatStream stream = await ChatStream.ReadAsync(Client(viaHost).GetChatClient(CompletionsWorkerFixture.Model).CompleteChatStreamingAsync(conversation, options));

        stream.AssertIsTheWholeAnswerAtItsLength(standalone, 20);
    }

    [Fact]
    public async Task ChatStreaming_ThroughTheWorker_IsAnUnbufferedEventStreamOfChunksEndingInDone()
    {
        string body = CompletionsWorkerFixture.Body(new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
            ["max_tokens"] = 8,
            ["temperature"] = 0,
            ["stream"] = true,
        });

        HttpInvocation result = await SendAsync("/v1/chat/completions", body);
        // Read before the body is: once buffered, HttpContent reports the buffer's length as Content-Length.
        long? length = result.Response.Content.Headers.ContentLength;
        bool? chunked = result.Response.Headers.TransferEncodingChunked;
        string text = await result.Response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, result.Response.StatusCode);
        Assert.Equal("text/event-stream", result.Response.Content.Headers.ContentType?.MediaType);
        // Written as it was generated: a buffered answer would carry its length.
        Assert.Null(length);
        Assert.True(chunked, "the worker sent the stream chunked");
        string[] events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(events, e => Assert.StartsWith("data: ", e, StringComparison.Ordinal));
        Assert.Equal("data: [DONE]", events[^1]);
        JsonElement[] chunks = [.. events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement)];
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
        Assert.Equal("length", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Completions_ThroughTheWorker_SameTextAndUsageAsTheStandaloneHost()
    {
        string body = CompletionsWorkerFixture.Body(new JsonObject { ["prompt"] = "Once upon a time", ["max_tokens"] = 10, ["temperature"] = 0, ["logprobs"] = 2 });

        HttpInvocation result = await SendAsync("/v1/completions", body);
        using JsonDocument viaWorker = JsonDocument.Parse(await result.Response.Content.ReadAsStringAsync());
        using HttpResponseMessage standaloneResponse = await fixture.Standalone.Client.PostAsync(new Uri("/v1/completions", UriKind.Relative), Json(body));
        using JsonDocument standalone = JsonDocument.Parse(await standaloneResponse.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, result.Response.StatusCode);
        JsonElement expected = standalone.RootElement.GetProperty("choices")[0];
        JsonElement actual = viaWorker.RootElement.GetProperty("choices")[0];
        Assert.Equal(expected.GetProperty("text").GetString(), actual.GetProperty("text").GetString());
        Assert.Equal(10, viaWorker.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(
            expected.GetProperty("logprobs").GetProperty("tokens").EnumerateArray().Select(t => t.GetString()),
            actual.GetProperty("logprobs").GetProperty("tokens").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task Chat_UnsupportedField_ThroughTheWorker_Answers400NamingIt()
    {
        string body = CompletionsWorkerFixture.Body(new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
            ["tools"] = new JsonArray(new JsonObject { ["type"] = "function" }),
            ["stream"] = true,
        });

        HttpInvocation result = await SendAsync("/v1/chat/completions", body);
        using JsonDocument answer = JsonDocument.Parse(await result.Response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, result.Response.StatusCode);
        Assert.Equal("tools", answer.RootElement.GetProperty("error").GetProperty("param").GetString());
    }

    private async Task<HttpInvocation> SendAsync(string path, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) };
        HttpInvocation result = await fixture.Host.SendAsync(request);
        Assert.True(result.Invocation!.Result.Status == StatusResult.Types.Status.Success, $"The invocation failed: {result.Invocation.Result.Exception?.Message}");
        return result;
    }

    private static OpenAIClient Client(HttpClient http) =>
        new(new ApiKeyCredential("unused"), new OpenAIClientOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "/v1"),
            Transport = new HttpClientPipelineTransport(http),
            // The SDK's own back-off would turn a wrong status into a slow test instead of a failed one.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
