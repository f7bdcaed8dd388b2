using Thaw.Functions.Tests.FunctionsHost;

namespace Thaw.Functions.Tests;

/// <summary>A worker that cannot start: the fake host reports why, within its bounded wait, instead of hanging.</summary>
public sealed class WorkerStartFailureTests
{
    [Fact]
    public async Task StartAsync_UnparsableSetting_FailsNamingTheKey()
    {
        Dictionary<string, string?> settings = WorkerSettings.Default();
        settings["Thaw__Batching__MaxBatchDelay"] = "garbage";

        FunctionsWorkerException failure = await Assert.ThrowsAsync<FunctionsWorkerException>(() => FakeFunctionsHost.StartAsync(settings));

        Assert.Contains("Thaw:Batching:MaxBatchDelay", failure.Message, StringComparison.Ordinal);
        Assert.Contains("exited with code", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Thaw__Jobs__Queue", "Thaw:Jobs:Queue is 'my-jobs'; allowed: 'thaw-jobs'")]
    [InlineData("Thaw__Jobs__RequestQueue", "Thaw:Jobs:RequestQueue is 'my-jobs'; allowed: 'thaw-requests'")]
    public async Task StartAsync_QueueThatNoTriggerListensOn_FailsNamingTheKeyAndTheTriggersQueue(string key, string message)
    {
        // The app would enqueue to a queue that the trigger (its name fixed when the app is built) never reads.
        Dictionary<string, string?> settings = WorkerSettings.Default();
        settings[key] = "my-jobs";

        FunctionsWorkerException failure = await Assert.ThrowsAsync<FunctionsWorkerException>(() => FakeFunctionsHost.StartAsync(settings));

        Assert.Contains(message, failure.Message, StringComparison.Ordinal);
    }
}
