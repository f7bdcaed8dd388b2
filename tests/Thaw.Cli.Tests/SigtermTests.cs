using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Thaw.Testing;

namespace Thaw.Cli.Tests;

/// <summary>
/// <c>thaw serve</c> as a real process receiving SIGTERM (what a scale-in sends): it must finish the requests in
/// flight and exit 0. In-process StopAsync tests cannot see the command-line layer, which once killed the process
/// 2 s after the signal.
/// </summary>
public sealed class SigtermTests
{
    // tests/Thaw.Cli.Tests/bin/<Configuration>/<tfm>/ -> src/Thaw.Cli/bin/<Configuration>/<tfm>/thaw
    private static readonly string Executable = Path.GetFullPath(Path.Combine(
        AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "Thaw.Cli", "bin",
        new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, new DirectoryInfo(AppContext.BaseDirectory).Name, "thaw"));

    [Fact]
    public async Task Sigterm_FinishesEveryRequestInFlightThenExitsZero()
    {
        int port = FreePort();
        var start = new ProcessStartInfo(Executable, ["serve", "--urls", $"http://127.0.0.1:{port}",
            .. RealModels.HostSettings().SelectMany(s => new[] { "--set", $"{s.Key}={s.Value}" })])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process server = Process.Start(start)!;
        _ = server.StandardOutput.ReadToEndAsync();
        _ = server.StandardError.ReadToEndAsync();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Eventually.WaitUntilAsync(() => IsReady(client));
        string[] slow = Enumerable.Range(0, 32).Select(i => string.Join(' ', Enumerable.Repeat($"slow input {i}", 40))).ToArray();
        const int Requests = 8;

        Task<HttpResponseMessage>[] sent = Enumerable.Range(0, Requests)
            .Select(_ => client.PostAsJsonAsync("/v1/embeddings", new { input = slow })).ToArray();
        await Eventually.WaitUntilAsync(() => Received(client) >= Requests * slow.Length);
        using (Process kill = Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync();
        }

        HttpResponseMessage[] responses = await Task.WhenAll(sent);
        await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(0, server.ExitCode);
    }

    private static bool IsReady(HttpClient client)
    {
        try
        {
            return client.GetAsync("/readyz").GetAwaiter().GetResult().StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Inputs the server has queued or run, from /readyz.</summary>
    private static long Received(HttpClient client)
    {
        using JsonDocument ready = JsonDocument.Parse(client.GetStringAsync("/readyz").GetAwaiter().GetResult());
        JsonElement batching = ready.RootElement.GetProperty("models")[0].GetProperty("batching");
        return batching.GetProperty("inputs").GetInt64() + batching.GetProperty("queued").GetInt32();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
