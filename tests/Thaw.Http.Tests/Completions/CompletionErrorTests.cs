namespace Thaw.Http.Tests.Completions;

/// <summary>What both completion routes refuse, each with a 400 (or 404) in the OpenAI envelope that names the field.</summary>
[Collection(CompletionServerCollection.Name)]
public sealed class CompletionErrorTests(CompletionServer server)
{
    private const string Messages = """ "messages": [{"role": "user", "content": "Hi"}] """;

    [Theory]
    [InlineData(""" "tools": [{"type": "function", "function": {"name": "f"}}] """, "tools", "unsupported_parameter")]
    [InlineData(""" "tool_choice": "auto" """, "tool_choice", "unsupported_parameter")]
    [InlineData(""" "response_format": {"type": "json_object"} """, "response_format", "unsupported_parameter")]
    [InlineData(""" "temperature": 3 """, "temperature", "invalid_value")]
    [InlineData(""" "top_p": 1.5 """, "top_p", "invalid_value")]
    [InlineData(""" "top_k": -1 """, "top_k", "invalid_value")]
    [InlineData(""" "n": 0 """, "n", "invalid_value")]
    [InlineData(""" "n": 17 """, "n", "invalid_value")]
    [InlineData(""" "max_tokens": 0 """, "max_tokens", "invalid_value")]
    [InlineData(""" "max_completion_tokens": 0 """, "max_completion_tokens", "invalid_value")]
    [InlineData(""" "frequency_penalty": 2.5 """, "frequency_penalty", "invalid_value")]
    [InlineData(""" "presence_penalty": -3 """, "presence_penalty", "invalid_value")]
    [InlineData(""" "logit_bias": {"5": 101} """, "logit_bias", "invalid_value")]
    [InlineData(""" "logit_bias": {"999999": 1} """, "logit_bias", "invalid_value")]
    [InlineData(""" "logit_bias": {"a": 1} """, "logit_bias", "invalid_value")]
    [InlineData(""" "stop": ["a", "b", "c", "d", "e"] """, "stop", "invalid_value")]
    [InlineData(""" "stop": [""] """, "stop", "invalid_value")]
    [InlineData(""" "stop": [1] """, "stop[0]", "invalid_value")]
    [InlineData(""" "top_logprobs": 2 """, "top_logprobs", "invalid_value")]
    [InlineData(""" "logprobs": true, "top_logprobs": 21 """, "top_logprobs", "invalid_value")]
    [InlineData(""" "temperature": "hot" """, "temperature", "invalid_json")]
    public async Task ChatCompletions_RefusedOrOutOfRangeField_Is400NamingIt(string field, string param, string code)
    {
        JsonElement error = await ErrorAsync("/v1/chat/completions", $$"""{"model": "{{CompletionServer.Chat}}", {{Messages}}, {{field}}}""", HttpStatusCode.BadRequest);

        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains(param.Split('[')[0], error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(""" "messages": [] """, "messages")]
    [InlineData(""" "messages": "Hi" """, "messages")]
    [InlineData("""  "foo": 1 """, "messages")]
    [InlineData(""" "messages": [{"content": "Hi"}] """, "messages[0].role")]
    [InlineData(""" "messages": [{"role": "tool", "content": "Hi"}] """, "messages[0].role")]
    [InlineData(""" "messages": [{"role": "user", "content": null}] """, "messages[0].content")]
    [InlineData(""" "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}] """, "messages[0].content[0].type")]
    public async Task ChatCompletions_BadMessages_Is400NamingTheMessage(string messages, string param)
    {
        JsonElement error = await ErrorAsync("/v1/chat/completions", $$"""{"model": "{{CompletionServer.Chat}}", {{messages}}}""", HttpStatusCode.BadRequest);

        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Theory]
    [InlineData(""" "echo": true """, "echo")]
    [InlineData(""" "best_of": 2 """, "best_of")]
    [InlineData(""" "suffix": "end" """, "suffix")]
    [InlineData(""" "logprobs": 21 """, "logprobs")]
    public async Task Completions_RefusedField_Is400NamingIt(string field, string param)
    {
        JsonElement error = await ErrorAsync("/v1/completions", $$"""{"model": "{{CompletionServer.TextOnly}}", "prompt": "a", {{field}}}""", HttpStatusCode.BadRequest);

        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Theory]
    [InlineData(""" "prompt": ["one", "two"] """, "one prompt per request")]
    [InlineData(""" "prompt": [1, 2, 3] """, "token id arrays are not supported")]
    [InlineData(""" "prompt": "" """, "has no tokens")]
    [InlineData(""" "max_tokens": 1 """, "'prompt' is required")]
    public async Task Completions_BadPrompt_Is400Explaining(string prompt, string message)
    {
        JsonElement error = await ErrorAsync("/v1/completions", $$"""{"model": "{{CompletionServer.TextOnly}}", {{prompt}}}""", HttpStatusCode.BadRequest);

        Assert.Equal("prompt", error.GetProperty("param").GetString());
        Assert.Contains(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completions_PromptLongerThanTheContext_Is400ContextLengthExceeded()
    {
        string prompt = new('x', CompletionServer.ContextLength);

        JsonElement error = await ErrorAsync("/v1/completions", $$"""{"model": "{{CompletionServer.TextOnly}}", "prompt": "{{prompt}}"}""", HttpStatusCode.BadRequest);

        Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
        Assert.Equal("prompt", error.GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/v1/completions")]
    public async Task Completion_NoModel_Is400MissingModel(string path)
    {
        JsonElement error = await ErrorAsync(path, $$"""{{{Messages}}, "prompt": "a"}""", HttpStatusCode.BadRequest);

        Assert.Equal(("model", "missing_required_parameter"), (error.GetProperty("param").GetString(), error.GetProperty("code").GetString()));
    }

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/v1/completions")]
    public async Task Completion_UnknownModel_Is404ModelNotFound(string path)
    {
        JsonElement error = await ErrorAsync(path, $$"""{"model": "nope", {{Messages}}, "prompt": "a"}""", HttpStatusCode.NotFound);

        Assert.Equal("model_not_found", error.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/v1/completions")]
    public async Task Completion_EmbeddingModel_Is400NamingTheTask(string path)
    {
        JsonElement error = await ErrorAsync(path, $$"""{"model": "{{Thaw.Testing.RealModels.MiniLm}}", {{Messages}}, "prompt": "a"}""", HttpStatusCode.BadRequest);

        Assert.Equal(("model", "model_not_supported"), (error.GetProperty("param").GetString(), error.GetProperty("code").GetString()));
        Assert.Contains("embedding model", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("text-generation", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatCompletions_ModelWithoutAChatTemplate_Is400PointingToCompletions()
    {
        JsonElement error = await ErrorAsync("/v1/chat/completions", $$"""{"model": "{{CompletionServer.TextOnly}}", {{Messages}}}""", HttpStatusCode.BadRequest);

        Assert.Equal("model", error.GetProperty("param").GetString());
        Assert.Contains("/v1/completions", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatCompletionsStream_ErrorBeforeTheFirstByte_IsAJsonAnswerWithItsStatus()
    {
        using HttpResponseMessage response = await server.Client.PostAsync("/v1/chat/completions",
            CompletionServer.Json($$"""{"model": "{{CompletionServer.Chat}}", {{Messages}}, "stream": true, "n": 0}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
    }

    private async Task<JsonElement> ErrorAsync(string path, string json, HttpStatusCode status)
    {
        using HttpResponseMessage response = await server.Client.PostAsync(path, CompletionServer.Json(json));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("error").Clone();
    }
}
