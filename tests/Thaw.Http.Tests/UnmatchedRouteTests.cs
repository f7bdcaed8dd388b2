namespace Thaw.Http.Tests;

/// <summary>What no route answers, over real HTTP: the OpenAI envelope, 404 for an unknown path, 405 and Allow for a known one.</summary>
[Collection(ThawApiCollection.Name)]
public sealed class UnmatchedRouteTests(ThawApiServer server)
{
    [Theory]
    [InlineData("GET", "/v1/nope")]
    [InlineData("POST", "/v1/models/all-minilm-l6-v2/nope")]
    [InlineData("GET", "/")]
    [InlineData("DELETE", "/v2/files")]
    public async Task UnknownPath_Answers404InTheEnvelope(string method, string path)
    {
        using HttpResponseMessage response = await server.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        JsonElement error = await ErrorAsync(response);
        Assert.Equal("unknown_url", error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        Assert.Contains($"{method} {path}", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("false", Assert.Single(response.Headers.GetValues("x-should-retry")));
    }

    [Theory]
    [InlineData("DELETE", "/v1/models", "GET")]
    [InlineData("GET", "/v1/embeddings", "POST")]
    [InlineData("PUT", "/v1/batches/batch_1", "GET")]
    [InlineData("POST", "/healthz", "GET")]
    public async Task KnownPathWrongMethod_Answers405WithAllowInTheEnvelope(string method, string path, string allowed)
    {
        using HttpResponseMessage response = await server.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains(allowed, response.Content.Headers.Allow);
        JsonElement error = await ErrorAsync(response);
        Assert.Equal("method_not_allowed", error.GetProperty("code").GetString());
        Assert.Contains(allowed, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FilesPath_AnswersEveryMethodItServesInAllow()
    {
        using HttpResponseMessage response = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/v1/files"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "POST"], response.Content.Headers.Allow.Order(StringComparer.Ordinal));
    }

    private static async Task<JsonElement> ErrorAsync(HttpResponseMessage response)
    {
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("error").Clone();
    }
}
