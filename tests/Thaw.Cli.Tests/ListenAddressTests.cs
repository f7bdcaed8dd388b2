namespace Thaw.Cli.Tests;

/// <summary><c>thaw serve</c> checks the addresses Kestrel bound, not only <c>--urls</c>: configuration can override it.</summary>
public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("Kestrel:Endpoints:Public:Url=http://0.0.0.0:0")]
    [InlineData("Kestrel:Endpoints:Public:Url=http://[::]:0")]
    public async Task Serve_KestrelEndpointBeyondLoopbackWithoutAKey_RefusesAndExits(string endpoint)
    {
        (int exitCode, string _, string stderr) = await Thaw.RunAsync(["serve", "--set", endpoint]);

        Assert.True(exitCode == 2, $"exit code {exitCode}: {stderr}");
        Assert.Contains("Refusing to listen on http://", stderr, StringComparison.Ordinal);
        Assert.Contains("--allow-anonymous", stderr, StringComparison.Ordinal);
    }
}
