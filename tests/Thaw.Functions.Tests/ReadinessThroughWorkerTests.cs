using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Thaw.Functions.Tests.FunctionsHost;
using Thaw.Inference.Sources;
using Thaw.Testing;

namespace Thaw.Functions.Tests;

/// <summary>
/// <c>/readyz</c> through the protocol while the pre-warm model is still loading and once it is ready. The load is
/// held by the model itself: its catalog entry reads the real weights from a local path that is a FIFO, so they
/// arrive only when the test writes them, as from a slow origin. A cache of its own makes the worker fetch them.
/// </summary>
public sealed class ReadinessThroughWorkerTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "thaw-functions-readyz", Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Readyz_WhileTheModelFileArrives_Answers503RetryAfterLoading_ThenReady200WithTheLoadPhases()
    {
        ModelFiles real = await RealModels.EnsureFilesAsync(RealModels.MiniLm);
        string weights = await HeldCatalogAsync(real);
        Dictionary<string, string?> settings = WorkerSettings.Default();
        settings["Thaw__CacheDirectory"] = Path.Combine(_root, "cache");
        settings["Thaw__Models__CatalogDirectory"] = Path.Combine(_root, "catalog");
        await using FakeFunctionsHost host = await FakeFunctionsHost.StartAsync(settings);
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage loading = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
        using JsonDocument loadingBody = JsonDocument.Parse(await loading.Content.ReadAsStringAsync());
        // The worker opens the FIFO when its load reaches the file; the weights then flow while requests wait.
        Task written = Task.Run(async () =>
        {
            await using var fifo = new FileStream(weights, FileMode.Open, FileAccess.Write);
            await using FileStream source = File.OpenRead(real.ModelPath);
            await source.CopyToAsync(fifo);
        });
        using HttpResponseMessage embedded = await client.PostAsync(new Uri("/v1/embeddings", UriKind.Relative), new StringContent("""{"input": "ready now"}""", Encoding.UTF8, "application/json"));
        await written.WaitAsync(TimeSpan.FromSeconds(60));
        using HttpResponseMessage ready = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
        using JsonDocument readyBody = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, loading.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), loading.Headers.RetryAfter?.Delta);
        Assert.Equal("loading", loadingBody.RootElement.GetProperty("status").GetString());
        JsonElement held = Model(loadingBody);
        Assert.True(held.GetProperty("prewarm").GetBoolean());
        Assert.NotEqual("ready", held.GetProperty("state").GetString());
        Assert.True(!held.TryGetProperty("load", out JsonElement none) || none.ValueKind == JsonValueKind.Null, held.ToString());

        Assert.Equal(HttpStatusCode.OK, embedded.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready", readyBody.RootElement.GetProperty("status").GetString());
        JsonElement load = Model(readyBody).GetProperty("load");
        Assert.Equal("origin", load.GetProperty("files_tier").GetString());
        Assert.Equal(new FileInfo(real.ModelPath).Length + new FileInfo(real.VocabPath).Length, load.GetProperty("bytes_fetched").GetInt64());
        Assert.True(load.GetProperty("session_ms").GetDouble() > 0, load.ToString());
        Assert.True(load.GetProperty("ready_ms").GetDouble() >= load.GetProperty("started_ms").GetDouble(), load.ToString());
    }

    private static JsonElement Model(JsonDocument readiness) =>
        readiness.RootElement.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("id").GetString() == RealModels.MiniLm);

    /// <summary>The bundled MiniLM manifest with a <c>path</c> source: the vocabulary a plain file, the weights a FIFO. Returns the FIFO's path.</summary>
    private async Task<string> HeldCatalogAsync(ModelFiles real)
    {
        string directory = Path.Combine(_root, "catalog", RealModels.MiniLm);
        Directory.CreateDirectory(directory);
        JsonNode manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RealModels.CatalogDirectory, RealModels.MiniLm, "model.json")))!;
        manifest["source"] = new JsonObject { ["kind"] = "path", ["path"] = "." };
        foreach (JsonNode? file in manifest["files"]!.AsArray())
        {
            file!["location"] = file["name"]!.GetValue<string>();
        }

        await File.WriteAllTextAsync(Path.Combine(directory, "model.json"), manifest.ToJsonString());
        File.Copy(real.VocabPath, Path.Combine(directory, "vocab.txt"));
        string weights = Path.Combine(directory, "model.onnx");
        using Process mkfifo = Process.Start("mkfifo", [weights]);
        await mkfifo.WaitForExitAsync();
        Assert.Equal(0, mkfifo.ExitCode);
        return weights;
    }
}
