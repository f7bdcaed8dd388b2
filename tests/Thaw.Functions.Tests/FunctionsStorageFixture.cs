using Thaw.Functions.Tests.FunctionsHost;
using Thaw.Testing;

namespace Thaw.Functions.Tests;

/// <summary>
/// Azurite and one real worker on it for a test class, with the app's default queue names: the queue triggers' names
/// are fixed when the app is built, so the queues the app writes must be the ones the triggers name.
/// </summary>
public sealed class FunctionsStorageFixture : IAsyncLifetime
{
    public const string ReplyQueue = "thaw-replies";

    public Azurite Azurite { get; } = new();

    internal FakeFunctionsHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Azurite.InitializeAsync();
        Dictionary<string, string?> settings = WorkerSettings.Default();
        // The host's own storage (the triggers' connection) and Thaw's are one account, as in infra/.
        settings["AzureWebJobsStorage"] = Azurite.ConnectionString;
        settings["Thaw__Storage__ConnectionString"] = Azurite.ConnectionString;
        // Queued requests may reply only to configured destinations, which Thaw never creates (issue 11).
        settings["Thaw__Requests__ReplyQueues__0"] = ReplyQueue;
        Host = await FakeFunctionsHost.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
