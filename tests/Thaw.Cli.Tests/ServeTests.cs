using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Thaw.Inference.Models;
using Thaw.Testing;

namespace Thaw.Cli.Tests;

/// <summary>The standalone host that <c>thaw serve</c> runs, on Kestrel at a free loopback port.</summary>
public sealed class ServeTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = StandaloneHost.Build("http://127.0.0.1:0", RealModels.HostSettings());
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Serve_AnswersHealthAtOnceAndReadinessOnceThePrewarmModelIsLoaded()
    {
        using HttpResponseMessage health = await _client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        await _app.Services.GetRequiredService<ModelHost>().LoadAsync(RealModels.MiniLm);

        using HttpResponseMessage ready = await _client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task EmbedCommand_AgreesWithTheHttpApi()
    {
        string[] texts = ["Thaw comes back from zero fast.", "Café naïve résumé, with tabs\tand $ signs"];

        (int exitCode, string stdout, string stderr) = await Thaw.RunAsync(["embed", .. texts]);
        using HttpResponseMessage response = await _client.PostAsJsonAsync("/v1/embeddings", new { input = texts });

        Assert.True(exitCode == 0, stderr);
        using JsonDocument fromCli = JsonDocument.Parse(stdout);
        using JsonDocument fromHttp = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(fromHttp.RootElement.GetProperty("usage").GetRawText(), fromCli.RootElement.GetProperty("usage").GetRawText());
        for (int i = 0; i < texts.Length; i++)
        {
            float[] a = Vector(fromCli, i), b = Vector(fromHttp, i);
            Assert.True(a.Zip(b, (x, y) => Math.Abs(x - y)).Max() < 1e-6, $"text {i} differs between thaw embed and HTTP");
        }
    }

    private static float[] Vector(JsonDocument response, int index) =>
        response.RootElement.GetProperty("data")[index].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
}
