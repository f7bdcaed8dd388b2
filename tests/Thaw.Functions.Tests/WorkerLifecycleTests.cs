using System.Text.Json;
using Thaw.Functions.Tests.FunctionsHost;

namespace Thaw.Functions.Tests;

/// <summary>The real built worker started by the fake Functions host: handshake, indexing, load and shutdown.</summary>
public sealed class WorkerLifecycleTests
{
    [Fact]
    public async Task StartAsync_RealWorker_IndexesTheFunctionsInFunctionsMetadataRunsTheTimerAndExitsOnTerminate()
    {
        await using FakeFunctionsHost host = await FakeFunctionsHost.StartAsync(WorkerSettings.Default());

        using JsonDocument metadata = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(host.AppDirectory, "functions.metadata")));
        Assert.Equal(
            metadata.RootElement.EnumerateArray().Select(f => f.GetProperty("name").GetString()).Order(),
            host.Functions.Keys.Order());
        Assert.All(host.Functions.Values, f => Assert.Equal("dotnet-isolated", f.Language));

        InvocationResponse prewarm = await host.InvokeTimerAsync("Prewarm");
        Assert.True(prewarm.Result.Status == StatusResult.Types.Status.Success, prewarm.Result.Exception?.Message);
        Assert.Equal(0, await host.StopAsync(TimeSpan.FromSeconds(10)));
    }
}
