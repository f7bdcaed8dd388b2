using Microsoft.Extensions.Options;
using Thaw.Azure.Jobs;
using Thaw.Azure.Storage;
using Thaw.Inference.Jobs;
using Thaw.Testing;

namespace Thaw.Azure.Tests.Jobs;

/// <summary>
/// The one-time set-up of queues and the files container on a real Azurite that is down at the first use and comes
/// back (issue 11, item 3): the failed attempt must not be kept for the life of the process.
/// </summary>
public sealed class StorageOutageSetUpTests : IAsyncLifetime
{
    private readonly Azurite _azurite = new();

    public Task InitializeAsync() => _azurite.InitializeAsync();

    public Task DisposeAsync() => _azurite.DisposeAsync();

    [Fact]
    public async Task SetUp_FailsWhileStorageIsDown_SucceedsOnceItIsBack()
    {
        IOptions<StorageOptions> storage = Options.Create(new StorageOptions { ConnectionString = _azurite.ConnectionString });
        var queues = new QueueClients(storage, Options.Create(new JobsOptions { Queue = "outage-jobs" }));
        var container = new JobContainer(new BlobClients(storage), Options.Create(new FilesOptions { Container = "outage-files" }));
        await _azurite.StopAsync();

        await Assert.ThrowsAnyAsync<Exception>(() => queues.GetAsync());
        await Assert.ThrowsAnyAsync<Exception>(() => container.GetAsync());
        await _azurite.StartAsync();
        (var jobs, var poison) = await queues.GetAsync();

        Assert.True(await jobs.ExistsAsync());
        Assert.True(await poison.ExistsAsync());
        Assert.True(await (await container.GetAsync()).ExistsAsync());
    }
}
