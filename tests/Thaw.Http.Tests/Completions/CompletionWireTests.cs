using Thaw.Inference.Generation.Completions;
using Thaw.Inference.Generation.Sampling;

namespace Thaw.Http.Tests.Completions;

/// <summary>
/// <c>/v1/completions</c> (the .NET SDK has no client for it) and the server-sent event wire of both routes, read raw:
/// framing, chunks, usage, <c>[DONE]</c>, choices, logprobs and stop sequences.
/// </summary>
[Collection(CompletionServerCollection.Name)]
public sealed class CompletionWireTests(CompletionServer server)
{
    private static readonly string Bias = CompletionServer.NoEndOfText;

    [Fact]
    public async Task Completions_Greedy_IsTheModelsCompletionOfThePromptInTheOpenAiShape()
    {
        using JsonDocument body = await PostAsync("/v1/completions", $$"""{"model": "{{CompletionServer.TextOnly}}", "prompt": "Once upon", "max_tokens": 10, "temperature": 0, "user": "u1", "some_future_field": true}""");

        CompletedText direct = await DirectAsync(CompletionServer.TextOnly, "Once upon", new CompletionSettings { MaxTokens = 10, Sampling = new SamplingParameters { Temperature = 0 } });
        JsonElement root = body.RootElement;
        Assert.Equal("text_completion", root.GetProperty("object").GetString());
        Assert.StartsWith("cmpl-", root.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal(CompletionServer.TextOnly, root.GetProperty("model").GetString());
        Assert.InRange(root.GetProperty("created").GetInt64(), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
        JsonElement choice = Assert.Single(root.GetProperty("choices").EnumerateArray());
        Assert.Equal(direct.Choices[0].Text, choice.GetProperty("text").GetString());
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        Assert.Equal(direct.Choices[0].FinishReason.ToString().ToLowerInvariant(), choice.GetProperty("finish_reason").GetString());
        JsonElement usage = root.GetProperty("usage");
        Assert.Equal((direct.Usage.PromptTokens, direct.Usage.CompletionTokens, direct.Usage.TotalTokens),
            (usage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("completion_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32()));
        // Byte-level tokens without BOS: one token per byte of the prompt.
        Assert.Equal(Encoding.UTF8.GetByteCount("Once upon"), usage.GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task Completions_PromptAsAnArrayOfOne_IsThatPrompt()
    {
        using JsonDocument single = await PostAsync("/v1/completions", $$"""{"model": "{{CompletionServer.TextOnly}}", "prompt": "abc", "max_tokens": 4, "temperature": 0}""");
        using JsonDocument array = await PostAsync("/v1/completions", $$"""{"model": "{{CompletionServer.TextOnly}}", "prompt": ["abc"], "max_tokens": 4, "temperature": 0}""");

        Assert.Equal(Text(single, 0), Text(array, 0));
    }

    [Fact]
    public async Task Completions_TwoChoicesWithASeed_AreIndexed_Differ_AndRepeatWithTheSameSeed()
    {
        string request = $$"""{"model": "{{CompletionServer.TextOnly}}", "prompt": "Roll", "max_tokens": 12, "n": 2, "seed": 42, "temperature": 1.5, "logit_bias": {{Bias}}}""";

        using JsonDocument first = await PostAsync("/v1/completions", request);
        using JsonDocument again = await PostAsync("/v1/completions", request);

        Assert.Equal([0, 1], first.RootElement.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("index").GetInt32()));
        Assert.NotEqual(Text(first, 0), Text(first, 1));
        Assert.Equal((Text(first, 0), Text(first, 1)), (Text(again, 0), Text(again, 1)));
        Assert.Equal(24, first.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Completions_Logprobs_AreTheLegacyParallelArrays()
    {
        using JsonDocument body = await PostAsync("/v1/completions", $$"""{"model": "{{CompletionServer.TextOnly}}", "prompt": "Hey", "max_tokens": 5, "temperature": 0, "logprobs": 2, "logit_bias": {{Bias}}}""");

        JsonElement logprobs = body.RootElement.GetProperty("choices")[0].GetProperty("logprobs");
        string[] tokens = [.. logprobs.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!)];
        float[] values = [.. logprobs.GetProperty("token_logprobs").EnumerateArray().Select(t => t.GetSingle())];
        JsonElement[] top = [.. logprobs.GetProperty("top_logprobs").EnumerateArray()];
        int[] offsets = [.. logprobs.GetProperty("text_offset").EnumerateArray().Select(t => t.GetInt32())];
        Assert.Equal(5, tokens.Length);
        Assert.Equal(5, values.Length);
        Assert.Equal(5, top.Length);
        Assert.Equal(0, offsets[0]);
        for (int i = 0; i < 5; i++)
        {
            JsonProperty[] alternatives = [.. top[i].EnumerateObject()];
            Assert.InRange(alternatives.Length, 1, 2);
            // Greedy: the sampled token is the most likely alternative.
            Assert.Equal(values[i], alternatives.Max(a => a.Value.GetSingle()));
            Assert.True(values[i] <= 0);
            if (i > 0)
            {
                Assert.Equal(offsets[i - 1] + tokens[i - 1].Length, offsets[i]);
            }
        }
    }

    [Fact]
    public async Task Completions_StopSequence_EndsTheTextBeforeIt()
    {
        string request = $$"""{"model": "{{CompletionServer.TextOnly}}", "prompt": "Hello", "max_tokens": 30, "temperature": 0, "logit_bias": {{Bias}}}""";
        using JsonDocument free = await PostAsync("/v1/completions", request);
        string text = Text(free, 0);
        Assert.Equal(30, free.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        // A stop taken from the free text (an ASCII character after its first: random bytes are not all whole
        // characters): the answer must end just before its first occurrence.
        string stop = text[Enumerable.Range(1, text.Length - 1).First(i => text[i] <= 0x7f)].ToString();
        int cut = text.IndexOf(stop, StringComparison.Ordinal);

        using JsonDocument stopped = await PostAsync("/v1/completions", request.Replace("\"max_tokens\"", $"\"stop\": [{JsonSerializer.Serialize(stop)}], \"max_tokens\"", StringComparison.Ordinal));

        Assert.Equal(text[..cut], Text(stopped, 0));
        Assert.Equal("stop", stopped.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.True(stopped.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32() < 30);
    }

    [Fact]
    public async Task CompletionsStream_IsDataFramedChunks_ThenUsageWithNoChoices_ThenDone()
    {
        string request = $$"""{"model": "{{CompletionServer.TextOnly}}", "prompt": "Stream", "max_tokens": 9, "temperature": 0, "logit_bias": {{Bias}}, "stream": true, "stream_options": {"include_usage": true} }""";
        using JsonDocument whole = await PostAsync("/v1/completions", request.Replace("\"stream\": true", "\"stream\": false", StringComparison.Ordinal));

        (HttpResponseMessage response, string stream) = await PostStreamAsync("/v1/completions", request);

        using (response)
        {
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        }

        IReadOnlyList<JsonElement> chunks = SseEvents.Chunks(stream);
        Assert.All(chunks, c => Assert.Equal("text_completion", c.GetProperty("object").GetString()));
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
        JsonElement[] deltas = [.. chunks.Take(chunks.Count - 1)];
        Assert.Equal(Text(whole, 0), string.Concat(deltas.Select(c => Assert.Single(c.GetProperty("choices").EnumerateArray()).GetProperty("text").GetString())));
        Assert.All(deltas[..^1], c => Assert.Equal(JsonValueKind.Null, c.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind));
        Assert.Equal("length", deltas[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.All(deltas, c => Assert.False(c.TryGetProperty("usage", out _)));
        JsonElement usage = chunks[^1];
        Assert.Empty(usage.GetProperty("choices").EnumerateArray());
        Assert.Equal(whole.RootElement.GetProperty("usage").GetRawText(), usage.GetProperty("usage").GetRawText());
    }

    [Fact]
    public async Task ChatCompletionsStream_FirstChunkOfEachChoiceHasTheRole_EachEndsWithItsFinishReason_NoUsageUnlessAsked()
    {
        string request = $$"""{"model": "{{CompletionServer.Chat}}", "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}, {"type": "text", "text": "there"}]}], "max_tokens": 6, "n": 2, "seed": 7, "logit_bias": {{Bias}}, "stream": true}""";

        (HttpResponseMessage response, string stream) = await PostStreamAsync("/v1/chat/completions", request);
        response.Dispose();

        IReadOnlyList<JsonElement> chunks = SseEvents.Chunks(stream);
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.All(chunks, c => Assert.False(c.TryGetProperty("usage", out _)));
        Assert.All(chunks, c => Assert.Single(c.GetProperty("choices").EnumerateArray()));
        foreach (int index in (int[])[0, 1])
        {
            JsonElement[] mine = [.. chunks.Select(c => c.GetProperty("choices")[0]).Where(c => c.GetProperty("index").GetInt32() == index)];
            Assert.Equal("assistant", mine[0].GetProperty("delta").GetProperty("role").GetString());
            Assert.Equal("", mine[0].GetProperty("delta").GetProperty("content").GetString());
            Assert.All(mine[1..], c => Assert.False(c.GetProperty("delta").TryGetProperty("role", out _)));
            Assert.Equal("length", mine[^1].GetProperty("finish_reason").GetString());
            Assert.All(mine[..^1], c => Assert.Equal(JsonValueKind.Null, c.GetProperty("finish_reason").ValueKind));
        }
    }

    [Fact]
    public async Task ChatCompletions_StringAndPartsContent_AreTheSameConversation()
    {
        string Request(string content) => $$"""{"model": "{{CompletionServer.Chat}}", "messages": [{"role": "user", "content": {{content}}}], "max_tokens": 5, "temperature": 0}""";

        using JsonDocument text = await PostAsync("/v1/chat/completions", Request("\"Hi\\nthere\""));
        using JsonDocument parts = await PostAsync("/v1/chat/completions", Request("""[{"type": "text", "text": "Hi"}, {"type": "text", "text": "there"}]"""));

        Assert.Equal(text.RootElement.GetProperty("usage").GetRawText(), parts.RootElement.GetProperty("usage").GetRawText());
        Assert.Equal(
            text.RootElement.GetProperty("choices")[0].GetProperty("message").GetRawText(),
            parts.RootElement.GetProperty("choices")[0].GetProperty("message").GetRawText());
        Assert.Equal("chat.completion", text.RootElement.GetProperty("object").GetString());
    }

    private static string Text(JsonDocument body, int choice) =>
        body.RootElement.GetProperty("choices")[choice].GetProperty("text").GetString()!;

    private Task<CompletedText> DirectAsync(string model, string prompt, CompletionSettings settings) =>
        CompletionServer.DirectAsync(server.Server, model, m => m.EncodePrompt(prompt), settings);

    private async Task<JsonDocument> PostAsync(string path, string json)
    {
        using HttpResponseMessage response = await server.Client.PostAsync(path, CompletionServer.Json(json));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body);
    }

    private async Task<(HttpResponseMessage Response, string Stream)> PostStreamAsync(string path, string json)
    {
        HttpResponseMessage response = await server.Client.PostAsync(path, CompletionServer.Json(json));
        string stream = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {stream}");
        return (response, stream);
    }
}
