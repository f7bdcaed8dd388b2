using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Thaw.Http;
using Thaw.Http.Endpoints;
using Thaw.Inference.Hosting;
using Thaw.Inference.Models;
using Thaw.Inference.Onnx;
using Thaw.Testing;

namespace Thaw.Functions.Tests;

/// <summary>
/// The function classes called directly (no Functions host can run here), composed as Program.cs composes them,
/// with the real model; each IResult is executed against an HttpContext as the worker's ASP.NET Core integration does.
/// </summary>
public sealed class HttpFunctionsTests : IAsyncLifetime
{
    private IHost _host = null!;
    private HttpFunctions _functions = null!;

    public async Task InitializeAsync()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(RealModels.HostSettings());
        builder.AddThawInference();
        builder.AddThawOnnx();
        builder.AddThawHttp();
        _host = builder.Build();
        await _host.StartAsync();
        await _host.Services.GetRequiredService<ModelHost>().LoadAsync(RealModels.MiniLm);
        _functions = new HttpFunctions(
            _host.Services.GetRequiredService<EmbeddingsEndpoint>(),
            _host.Services.GetRequiredService<CompletionsEndpoint>(),
            _host.Services.GetRequiredService<ModelsEndpoint>(),
            _host.Services.GetRequiredService<HealthEndpoint>());
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    [Fact]
    public async Task Embeddings_ValidRequest_AnswersTheOpenAiShape()
    {
        HttpContext context = Request("""{"input": ["hello from functions", "second"]}""");

        (int status, JsonDocument body) = await ExecuteAsync(context, await _functions.EmbeddingsAsync(context.Request));

        Assert.Equal(200, status);
        Assert.Equal(2, body.RootElement.GetProperty("data").GetArrayLength());
        Assert.Equal(384, body.RootElement.GetProperty("data")[1].GetProperty("embedding").GetArrayLength());
        body.Dispose();
    }

    [Fact]
    public async Task Embeddings_SameInputAsTheSharedHandler_GivesTheSameVector()
    {
        HttpContext viaFunction = Request("""{"input": "same code path"}""");
        HttpContext viaHandler = Request("""{"input": "same code path"}""");

        (_, JsonDocument a) = await ExecuteAsync(viaFunction, await _functions.EmbeddingsAsync(viaFunction.Request));
        (_, JsonDocument b) = await ExecuteAsync(viaHandler, await _host.Services.GetRequiredService<EmbeddingsEndpoint>().HandleAsync(viaHandler.Request));

        Assert.Equal(a.RootElement.GetRawText(), b.RootElement.GetRawText());
        a.Dispose();
        b.Dispose();
    }

    [Fact]
    public async Task Embeddings_BadInput_AnswersTheErrorEnvelope()
    {
        HttpContext context = Request("""{"input": ["ok", 3]}""");

        (int status, JsonDocument body) = await ExecuteAsync(context, await _functions.EmbeddingsAsync(context.Request));

        Assert.Equal(400, status);
        Assert.Equal("input[1]", body.RootElement.GetProperty("error").GetProperty("param").GetString());
        body.Dispose();
    }

    [Theory]
    [InlineData("chat")]
    [InlineData("text")]
    public async Task Completions_EmbeddingModel_AnswersTheSharedHandlers400NamingTheTask(string route)
    {
        HttpContext context = Request($$"""{"model": "{{RealModels.MiniLm}}", "messages": [{"role": "user", "content": "Hi"}], "prompt": "Hi"}""");

        IResult result = route == "chat" ? await _functions.ChatCompletionsAsync(context.Request) : await _functions.CompletionsAsync(context.Request);
        (int status, JsonDocument body) = await ExecuteAsync(context, result);

        Assert.Equal(400, status);
        Assert.Equal("model_not_supported", body.RootElement.GetProperty("error").GetProperty("code").GetString());
        body.Dispose();
    }

    [Fact]
    public async Task Models_ListsTheCatalog()
    {
        HttpContext context = Request("");

        (int status, JsonDocument body) = await ExecuteAsync(context, _functions.Models(context.Request));

        Assert.Equal(200, status);
        Assert.Equal(2, body.RootElement.GetProperty("data").GetArrayLength());
        body.Dispose();
    }

    [Fact]
    public async Task Readyz_DefaultModelLoaded_Answers200()
    {
        HttpContext context = Request("");

        (int status, JsonDocument body) = await ExecuteAsync(context, _functions.Readyz(context.Request));

        Assert.Equal(200, status);
        Assert.Equal("ready", body.RootElement.GetProperty("status").GetString());
        body.Dispose();
    }

    [Fact]
    public async Task Healthz_Answers200()
    {
        HttpContext context = Request("");
        context.RequestServices = _host.Services;
        context.Response.Body = new MemoryStream();

        await _functions.Healthz(context.Request).ExecuteAsync(context);

        Assert.Equal((int)HttpStatusCode.OK, context.Response.StatusCode);
    }

    private static HttpContext Request(string body)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        context.Request.ContentLength = Encoding.UTF8.GetByteCount(body);
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static async Task<(int Status, JsonDocument Body)> ExecuteAsync(HttpContext context, IResult result)
    {
        await result.ExecuteAsync(context);
        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, await JsonDocument.ParseAsync(context.Response.Body));
    }
}
