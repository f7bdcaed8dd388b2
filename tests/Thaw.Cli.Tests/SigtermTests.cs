using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Thaw.Testing;
using Xunit.Abstractions;

namespace Thaw.Cli.Tests;

/// <summary>
/// <c>thaw serve</c> as a real process receiving SIGTERM (what a scale-in sends): it must finish the requests in
/// flight and exit 0. In-process StopAsync tests cannot see the command-line layer, which once killed the process
/// 2 s after the signal.
/// </summary>
public sealed class SigtermTests(ITestOutputHelper output)
{
    private readonly ConcurrentQueue<string> _log = new();

    [Fact]
    public async Task Sigterm_FinishesEveryRequestInFlightThenExitsZero()
    {
        int port = ServeProcessApi.FreePort();
        var start = new ProcessStartInfo(ServeProcessApi.Executable, ["serve", "--urls", $"http://127.0.0.1:{port}",
            .. RealModels.HostSettings().SelectMany(s => new[] { "--set", $"{s.Key}={s.Value}" })])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process server = Process.Start(start)!;
        server.OutputDataReceived += (_, e) => Keep(e.Data);
        server.ErrorDataReceived += (_, e) => Keep(e.Data);
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Eventually.WaitUntilAsync(() => server.HasExited || ServeProcessApi.IsReady(client));
            Assert.False(server.HasExited, "thaw serve exited before it was ready.");
            // Enough work that requests are still in flight at the signal, little enough that draining it fits the
            // host's 30 s shutdown timeout on a loaded CI machine (256 inputs of 160 tokens took over 30 s there, and the host
            // then aborted the connections, as it should).
            string[] slow = Enumerable.Range(0, 8).Select(i => string.Join(' ', Enumerable.Repeat($"slow input {i}", 20))).ToArray();
            const int Requests = 4;

            Task<HttpResponseMessage>[] sent = Enumerable.Range(0, Requests)
                .Select(_ => client.PostAsJsonAsync("/v1/embeddings", new { input = slow })).ToArray();
            await Eventually.WaitUntilAsync(() => Received(client) >= Requests * slow.Length);
            int inFlight = sent.Count(t => !t.IsCompleted);
            output.WriteLine($"{clock.Elapsed}: every input received, {inFlight} requests unanswered; SIGTERM");
            using (Process kill = Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
            {
                await kill.WaitForExitAsync();
            }

            HttpResponseMessage[] responses = await Task.WhenAll(sent);
            output.WriteLine($"{clock.Elapsed}: every response received");
            await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            output.WriteLine($"{clock.Elapsed}: exited with {server.ExitCode}");
            Assert.True(inFlight > 0, "Every request was answered before the signal: the test would prove nothing.");
            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            Assert.Equal(0, server.ExitCode);
        }
        finally
        {
            // What the server logged, for the reader of a failure.
            output.WriteLine($"{clock.Elapsed}: server log follows");
            foreach (string line in _log)
            {
                output.WriteLine(line);
            }

            if (!server.HasExited)
            {
                server.Kill();
                await server.WaitForExitAsync();
            }
        }
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _log.Enqueue(line);
        }
    }

    /// <summary>Inputs the server has queued or run, from /readyz.</summary>
    private static long Received(HttpClient client)
    {
        using JsonDocument ready = JsonDocument.Parse(client.GetStringAsync("/readyz").GetAwaiter().GetResult());
        JsonElement batching = ready.RootElement.GetProperty("models")[0].GetProperty("batching");
        return batching.GetProperty("inputs").GetInt64() + batching.GetProperty("queued").GetInt32();
    }
}
