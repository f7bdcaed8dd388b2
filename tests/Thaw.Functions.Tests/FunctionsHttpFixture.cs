using Thaw.Functions.Tests.FunctionsHost;
using Thaw.Testing;

namespace Thaw.Functions.Tests;

/// <summary>
/// One real worker behind the fake Functions host for a test class, and the standalone host (the same handlers on
/// Kestrel) started alongside it, whose answers the worker's must equal.
/// </summary>
public sealed class FunctionsHttpFixture : IAsyncLifetime
{
    internal FakeFunctionsHost Host { get; private set; } = null!;

    internal LoopbackServer Standalone { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Task<FakeFunctionsHost> host = FakeFunctionsHost.StartAsync(WorkerSettings.Default());
        Standalone = await StandaloneHost.StartAsync(RealModels.HostSettings());
        Host = await host;
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Standalone.DisposeAsync();
    }
}
