using System.Net;
using System.Text.Json;
using Thaw.Functions.Tests.FunctionsHost;

namespace Thaw.Functions.Tests;

/// <summary>
/// The HTTP triggers invoked through the language-worker protocol, each request forwarded to the real worker's
/// ASP.NET Core endpoint as the host forwards it: the worker's middleware, routing, binding and IResult writing.
/// </summary>
public sealed class HttpThroughWorkerTests(FunctionsHttpFixture fixture) : IClassFixture<FunctionsHttpFixture>
{
    [Fact]
    public async Task Embeddings_SameInputAsTheStandaloneHost_SameVectorsWithin1e6()
    {
        const string Request = """{"input": ["The Functions worker answers too.", "Tabs\tand café"], "model": "all-minilm-l6-v2"}""";

        (HttpStatusCode status, JsonDocument viaWorker) = await SendAsync(HttpMethod.Post, "/v1/embeddings", Request);
        using HttpResponseMessage standalone = await fixture.Standalone.Client.PostAsync(new Uri("/v1/embeddings", UriKind.Relative), Json(Request));
        using JsonDocument viaStandalone = JsonDocument.Parse(await standalone.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, standalone.StatusCode);
        float[][] expected = Vectors(viaStandalone);
        float[][] actual = Vectors(viaWorker);
        Assert.Equal(2, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(384, actual[i].Length);
            Assert.All(expected[i].Zip(actual[i]), pair => Assert.Equal(pair.First, pair.Second, 1e-6f));
        }

        viaWorker.Dispose();
    }

    [Fact]
    public async Task Embeddings_BadInput_AnswersTheErrorEnvelope()
    {
        (HttpStatusCode status, JsonDocument body) = await SendAsync(HttpMethod.Post, "/v1/embeddings", """{"input": ["ok", 3]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        JsonElement error = body.RootElement.GetProperty("error");
        Assert.Equal("input[1]", error.GetProperty("param").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        body.Dispose();
    }

    [Fact]
    public async Task Models_ListsTheCatalogWithTheDefault()
    {
        (HttpStatusCode status, JsonDocument body) = await SendAsync(HttpMethod.Get, "/v1/models", body: null);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["all-minilm-l6-v2", "arctic-embed-xs"], body.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
        Assert.True(body.RootElement.GetProperty("data")[0].GetProperty("default").GetBoolean());
        body.Dispose();
    }

    [Fact]
    public async Task WarmModel_UnknownIdInTheRoute_AnswersNotFoundNamingIt()
    {
        (HttpStatusCode status, JsonDocument body) = await SendAsync(HttpMethod.Post, "/v1/models/no-such-model/warm", body: null);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("no-such-model", body.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        body.Dispose();
    }

    [Fact]
    public async Task Readyz_AfterARequestWaitedForTheDefaultModel_Answers200Ready()
    {
        // A request waits for the model the worker started loading in the background; after it, the instance is ready.
        (HttpStatusCode embedded, JsonDocument embedding) = await SendAsync(HttpMethod.Post, "/v1/embeddings", """{"input": "warm"}""");
        embedding.Dispose();

        (HttpStatusCode status, JsonDocument body) = await SendAsync(HttpMethod.Get, "/readyz", body: null);

        Assert.Equal(HttpStatusCode.OK, embedded);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ready", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("ready", body.RootElement.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("id").GetString() == "all-minilm-l6-v2").GetProperty("state").GetString());
        body.Dispose();
    }

    [Fact]
    public async Task Healthz_Answers200Ok()
    {
        HttpInvocation result = await fixture.Host.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/healthz"));

        Assert.Equal(HttpStatusCode.OK, result.Response.StatusCode);
        Assert.Equal("ok", await result.Response.Content.ReadAsStringAsync());
        AssertSucceeded(result);
    }

    private async Task<(HttpStatusCode Status, JsonDocument Body)> SendAsync(HttpMethod method, string path, string? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Json(body) };
        HttpInvocation result = await fixture.Host.SendAsync(request);
        AssertSucceeded(result);
        string text = await result.Response.Content.ReadAsStringAsync();
        result.Response.Dispose();
        return (result.Response.StatusCode, JsonDocument.Parse(text));
    }

    private void AssertSucceeded(HttpInvocation result) =>
        Assert.True(result.Invocation!.Result.Status == StatusResult.Types.Status.Success,
            $"The invocation failed: {result.Invocation.Result.Exception?.Message}{Environment.NewLine}{result.Invocation.Result.Exception?.StackTrace}{Environment.NewLine}{string.Join(Environment.NewLine, fixture.Host.Logs.TakeLast(30).Select(l => $"{l.Level} {l.Category}: {l.Message} {l.Exception?.Message}"))}");

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static float[][] Vectors(JsonDocument response) =>
        response.RootElement.GetProperty("data").EnumerateArray()
            .Select(d => d.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
}
