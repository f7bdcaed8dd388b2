using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Thaw.Testing;

/// <summary>
/// A real Azurite (Azure Storage emulator) process for the tests of one assembly: in-memory (or on disk under
/// <see cref="Location"/>), on free loopback ports. Installed by <c>npm ci --prefix tests</c> (tests/run.sh does it); a
/// missing install fails loudly.
/// </summary>
public sealed class Azurite : IAsyncLifetime
{
    // Azurite's well-known development account (public, documented by Microsoft; not a secret).
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private Process? _process;
    private int _blobPort;
    private int _queuePort;
    private int _tablePort;

    public string ConnectionString { get; private set; } = "";

    /// <summary>
    /// A directory to keep the data in, so that what was written survives <see cref="StopAsync"/> and
    /// <see cref="StartAsync"/> (an outage, not a loss); null: in memory, and a restart starts empty.
    /// </summary>
    public string? Location { get; init; }

    /// <summary>A host's <c>Thaw:Storage</c> on this Azurite, with containers of its own named by <paramref name="suffix"/>.</summary>
    public Dictionary<string, string?> StorageSettings(string suffix) => new()
    {
        ["Thaw:Storage:ConnectionString"] = ConnectionString,
        ["Thaw:Storage:SnapshotContainer"] = $"snapshots-{suffix}",
        ["Thaw:Files:Container"] = $"files-{suffix}",
    };

    public async Task InitializeAsync()
    {
        string executable = Path.Combine(RepositoryRoot(), "tests", "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite is not installed at '{executable}'. Run 'npm ci --prefix tests' (tests/run.sh does it).");
        }

        _blobPort = FreePort();
        _queuePort = FreePort();
        _tablePort = FreePort();
        ConnectionString = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
            $"AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{_blobPort}/devstoreaccount1;" +
            $"QueueEndpoint=http://127.0.0.1:{_queuePort}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{_tablePort}/devstoreaccount1;";
        await StartAsync();
    }

    /// <summary>Starts Azurite (again) on the same ports, empty unless <see cref="Location"/> keeps the data: for tests of a store that comes back.</summary>
    public async Task StartAsync()
    {
        string executable = Path.Combine(RepositoryRoot(), "tests", "node_modules", ".bin", "azurite");
        _process = Process.Start(new ProcessStartInfo(executable,
        [
            .. Location is null ? ["--inMemoryPersistence"] : new[] { "--location", Location },
            "--skipApiVersionCheck", "--silent", "--loose",
            "--blobHost", "127.0.0.1", "--blobPort", _blobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", _queuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", _tablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await WaitUntilListeningAsync(_blobPort);
        await WaitUntilListeningAsync(_queuePort);
    }

    /// <summary>Stops Azurite: for tests of a store that goes away.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } && Location is not null)
        {
            // SIGTERM: Azurite saves its metadata as it closes each service; a kill before that would lose the last
            // seconds of writes. The process itself lingers on idle client connections, so it is killed once both
            // services said they closed.
            using (Process term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
            {
                await term.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var closed = new HashSet<string>();
            while (closed.Count < 2 && await _process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Contains("Blob service successfully closed", StringComparison.Ordinal) || line.Contains("Queue service successfully closed", StringComparison.Ordinal))
                {
                    closed.Add(line);
                }
            }

            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        else if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public Task DisposeAsync() => StopAsync();

    private async Task WaitUntilListeningAsync(int port)
    {
        // Azurite needs a second or two to start; poll its port (a process start-up, not a timing assertion).
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode}: {await _process.StandardError.ReadToEndAsync()}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Functions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Bug: no Functions.sln above '{AppContext.BaseDirectory}'.");
    }
}
