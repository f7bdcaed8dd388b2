using System.Text.Json;

namespace Thaw.Functions.Tests;

/// <summary>
/// The Functions host cannot run here, so these check what it would read: the functions.metadata and host.json
/// that the Worker SDK put in the Functions app's build output.
/// </summary>
public sealed class FunctionsMetadataTests
{
    // tests/Thaw.Functions.Tests/bin/<Configuration>/<tfm>/ -> src/Thaw.Functions/bin/<Configuration>/<tfm>/
    private static readonly string AppOutput = Path.GetFullPath(Path.Combine(
        AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "Thaw.Functions", "bin",
        new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, new DirectoryInfo(AppContext.BaseDirectory).Name));

    [Theory]
    [InlineData("Embeddings", "post", "v1/embeddings", "Function")]
    [InlineData("ChatCompletions", "post", "v1/chat/completions", "Function")]
    [InlineData("Completions", "post", "v1/completions", "Function")]
    [InlineData("Models", "get", "v1/models", "Function")]
    [InlineData("ModelsGet", "get", "v1/models/{id}", "Function")]
    [InlineData("WarmModel", "post", "v1/models/{id}/warm", "Function")]
    [InlineData("Healthz", "get", "healthz", "Anonymous")]
    [InlineData("Readyz", "get", "readyz", "Anonymous")]
    [InlineData("FilesUpload", "post", "v1/files", "Function")]
    [InlineData("FilesList", "get", "v1/files", "Function")]
    [InlineData("FilesGet", "get", "v1/files/{id}", "Function")]
    [InlineData("FilesDelete", "delete", "v1/files/{id}", "Function")]
    [InlineData("FilesContent", "get", "v1/files/{id}/content", "Function")]
    [InlineData("BatchesCreate", "post", "v1/batches", "Function")]
    [InlineData("BatchesList", "get", "v1/batches", "Function")]
    [InlineData("BatchesGet", "get", "v1/batches/{id}", "Function")]
    [InlineData("BatchesCancel", "post", "v1/batches/{id}/cancel", "Function")]
    public void Metadata_DeclaresTheContractRoutesMethodsAndAuthLevels(string name, string method, string route, string authLevel)
    {
        using JsonDocument metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppOutput, "functions.metadata")));

        JsonElement function = metadata.RootElement.EnumerateArray().Single(f => f.GetProperty("name").GetString() == name);
        JsonElement trigger = function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "httpTrigger");
        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal([method], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(authLevel, trigger.GetProperty("authLevel").GetString());
        Assert.Equal("dotnet-isolated", function.GetProperty("language").GetString());
    }

    [Theory]
    [InlineData("BatchJobs", "thaw-jobs")]
    [InlineData("QueuedRequests", "thaw-requests")]
    public void Metadata_QueueTriggersListenOnTheirQueuesInTheHostStorage(string name, string queue)
    {
        using JsonDocument metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppOutput, "functions.metadata")));

        JsonElement function = metadata.RootElement.EnumerateArray().Single(f => f.GetProperty("name").GetString() == name);
        JsonElement trigger = function.GetProperty("bindings").EnumerateArray().Single();
        Assert.Equal("queueTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(queue, trigger.GetProperty("queueName").GetString());
        Assert.Equal("AzureWebJobsStorage", trigger.GetProperty("connection").GetString());
    }

    [Fact]
    public void Metadata_HasNoOtherFunctions()
    {
        using JsonDocument metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppOutput, "functions.metadata")));

        Assert.Equal(["BatchesCancel", "BatchesCreate", "BatchesGet", "BatchesList", "BatchJobs", "BatchSweep", "ChatCompletions", "Completions", "Embeddings", "FilesContent", "FilesDelete", "FilesGet", "FilesList", "FilesUpload", "Healthz", "Models", "ModelsGet", "Prewarm", "QueuedRequests", "Readyz", "WarmModel"], metadata.RootElement.EnumerateArray().Select(f => f.GetProperty("name").GetString()).Order());
    }

    [Theory]
    [InlineData("Prewarm")]
    [InlineData("BatchSweep")]
    public void Metadata_TimersRunEveryMinute(string name)
    {
        using JsonDocument metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppOutput, "functions.metadata")));

        JsonElement prewarm = metadata.RootElement.EnumerateArray().Single(f => f.GetProperty("name").GetString() == name);
        JsonElement trigger = prewarm.GetProperty("bindings").EnumerateArray().Single();
        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("0 */1 * * * *", trigger.GetProperty("schedule").GetString());
    }

    [Fact]
    public void HostJson_IsInTheOutputWithAnEmptyRoutePrefix()
    {
        using JsonDocument host = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppOutput, "host.json")));

        Assert.Equal("2.0", host.RootElement.GetProperty("version").GetString());
        Assert.Equal("", host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void Output_HasTheWorkerFilesAndTheModelCatalog()
    {
        Assert.True(File.Exists(Path.Combine(AppOutput, "worker.config.json")));
        Assert.True(File.Exists(Path.Combine(AppOutput, "extensions.json")));
        Assert.True(File.Exists(Path.Combine(AppOutput, "models", "all-minilm-l6-v2", "model.json")));
    }
}
