namespace Thaw.Http.Tests;

/// <summary>Bad input gets the OpenAI error envelope with an honest status and the field named; never a 500.</summary>
[Collection(ThawApiCollection.Name)]
public sealed class ErrorContractTests(ThawApiServer server)
{
    public static TheoryData<string, HttpStatusCode, string?, string> BadBodies => new()
    {
        { "", HttpStatusCode.BadRequest, null, "invalid_json" },
        { "not json", HttpStatusCode.BadRequest, null, "invalid_json" },
        { "null", HttpStatusCode.BadRequest, null, "invalid_json" },
        { "[1, 2]", HttpStatusCode.BadRequest, null, "invalid_json" },
        { """{"input": "a",""", HttpStatusCode.BadRequest, null, "invalid_json" },
        { "{}", HttpStatusCode.BadRequest, "input", "missing_required_parameter" },
        { """{"input": null}""", HttpStatusCode.BadRequest, "input", "missing_required_parameter" },
        { """{"input": ""}""", HttpStatusCode.BadRequest, "input", "invalid_value" },
        { """{"input": []}""", HttpStatusCode.BadRequest, "input", "invalid_value" },
        { """{"input": 42}""", HttpStatusCode.BadRequest, "input", "invalid_value" },
        { """{"input": {"text": "a"}}""", HttpStatusCode.BadRequest, "input", "invalid_value" },
        { """{"input": ["a", 1]}""", HttpStatusCode.BadRequest, "input[1]", "invalid_value" },
        { """{"input": ["a", ""]}""", HttpStatusCode.BadRequest, "input[1]", "invalid_value" },
        { """{"input": [[101, 102]]}""", HttpStatusCode.BadRequest, "input[0]", "invalid_value" },
        { """{"input": "a", "model": 5}""", HttpStatusCode.BadRequest, "model", "invalid_json" },
        { """{"input": "a", "dimensions": "many"}""", HttpStatusCode.BadRequest, "dimensions", "invalid_json" },
        { """{"input": "a", "dimensions": 12}""", HttpStatusCode.BadRequest, "dimensions", "invalid_value" },
        { """{"input": "a", "encoding_format": "hex"}""", HttpStatusCode.BadRequest, "encoding_format", "invalid_value" },
        { """{"input": "a", "input_type": "question"}""", HttpStatusCode.BadRequest, "input_type", "invalid_value" },
        { """{"input": "a", "model": "gpt-17"}""", HttpStatusCode.NotFound, "model", "model_not_found" },
        { $$"""{"input": [{{string.Join(",", Enumerable.Repeat("\"a\"", ThawApiServer.MaxInputs + 1))}}]}""", HttpStatusCode.RequestEntityTooLarge, "input", "request_too_large" },
        { $$"""{"input": "{{new string('a', ThawApiServer.MaxInputChars + 1)}}"}""", HttpStatusCode.RequestEntityTooLarge, "input", "request_too_large" },
        { $$"""{"input": ["ok", "{{new string('a', ThawApiServer.MaxInputChars + 1)}}"]}""", HttpStatusCode.RequestEntityTooLarge, "input[1]", "request_too_large" },
        { $$"""{"input": "a", "user": "{{new string('u', ThawApiServer.MaxRequestBytes)}}"}""", HttpStatusCode.RequestEntityTooLarge, null, "request_too_large" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Post_BadBody_AnswersTheEnvelopeNamingTheField(string body, HttpStatusCode status, string? param, string code)
    {
        using HttpResponseMessage response = await server.Client.PostAsync("/v1/embeddings", EmbeddingsContractTests.Json(body));

        Assert.Equal(status, response.StatusCode);
        using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement error = document.RootElement.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        if (param is not null)
        {
            Assert.Contains(param.Split('[')[0], error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Post_BodyLargerThanTheLimitByContentLength_IsRefusedBeforeReading()
    {
        using var content = new ByteArrayContent(new byte[ThawApiServer.MaxRequestBytes + 1]);

        using HttpResponseMessage response = await server.Client.PostAsync("/v1/embeddings", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Post_WithoutContentType_IsAccepted()
    {
        using var content = new StringContent("""{"input": "curl -d sends form content type"}""");
        content.Headers.ContentType = null;

        using HttpResponseMessage response = await server.Client.PostAsync("/v1/embeddings", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
