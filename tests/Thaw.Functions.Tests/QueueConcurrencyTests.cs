using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Thaw.Functions.Tests.FunctionsHost;
using Thaw.Inference.Jobs;

namespace Thaw.Functions.Tests;

/// <summary>
/// Issue 11, item 16: host.json's queue settings, not Thaw:Jobs, decide how many queue messages a Functions instance runs
/// at once — one batch job and one queued request per instance — and a Thaw:Jobs setting that says otherwise stops the
/// real worker's start, naming the key.
/// </summary>
public sealed class QueueConcurrencyTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("thaw-hostjson-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void HostJson_RunsOneMessageAtATimePerQueueFunctionAndInstance()
    {
        string path = Path.Combine(FakeFunctionsHost.DefaultAppDirectory, "host.json");
        using JsonDocument host = JsonDocument.Parse(File.ReadAllText(path));

        JsonElement queues = host.RootElement.GetProperty("extensions").GetProperty("queues");
        Assert.Equal(1, queues.GetProperty("batchSize").GetInt32());
        Assert.Equal(0, queues.GetProperty("newBatchThreshold").GetInt32());
        Assert.Equal(5, queues.GetProperty("maxDequeueCount").GetInt32());
        Assert.Equal(1, Concurrency(path).PerFunction);
    }

    [Theory]
    [InlineData("""{"version":"2.0"}""", 24)]
    [InlineData("""{"extensions":{"queues":{"batchSize":8}}}""", 12)]
    [InlineData("""{"extensions":{"queues":{"batchSize":32,"newBatchThreshold":16}}}""", 48)]
    public void PerFunction_ReadsHostJsonAsTheHostDoes(string json, int expected)
    {
        string path = Path.Combine(_directory, "host.json");
        File.WriteAllText(path, json);

        Assert.Equal(expected, Concurrency(path).PerFunction);
    }

    [Fact]
    public void Validate_SettingsThatAgreeOrAreUnset_AreAccepted()
    {
        string path = Path.Combine(FakeFunctionsHost.DefaultAppDirectory, "host.json");

        // Unset, MaxConcurrentRequests keeps its standalone default (32): it sizes nothing here.
        Assert.True(Concurrency(path).Validate(null, new JobsOptions()).Succeeded);
        Assert.True(Concurrency(path, ("Thaw:Jobs:MaxConcurrentJobs", "1"), ("Thaw:Jobs:MaxConcurrentRequests", "1"))
            .Validate(null, new JobsOptions { MaxConcurrentJobs = 1, MaxConcurrentRequests = 1 }).Succeeded);
    }

    [Theory]
    [InlineData("Thaw__Jobs__MaxConcurrentJobs", "Thaw:Jobs:MaxConcurrentJobs")]
    [InlineData("Thaw__Jobs__MaxConcurrentRequests", "Thaw:Jobs:MaxConcurrentRequests")]
    public async Task StartAsync_ConcurrencySettingThatContradictsHostJson_FailsNamingTheKey(string setting, string key)
    {
        Dictionary<string, string?> settings = WorkerSettings.Default();
        settings[setting] = "4";

        FunctionsWorkerException failure = await Assert.ThrowsAsync<FunctionsWorkerException>(() => FakeFunctionsHost.StartAsync(settings));

        Assert.Contains($"{key} is 4, but in the Functions app host.json decides", failure.Message, StringComparison.Ordinal);
        Assert.Contains("= 1 message(s) at once per queue function and instance", failure.Message, StringComparison.Ordinal);
    }

    private static HostJsonQueueConcurrency Concurrency(string path, params (string Key, string Value)[] settings) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build(), path);
}
