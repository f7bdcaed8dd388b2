using System.Collections.Concurrent;
using System.Diagnostics;

namespace Thaw.Functions.Tests.FunctionsHost;

/// <summary>
/// The worker executable started as the host starts it (worker.config.json: <c>dotnet Thaw.Functions.dll</c> in the
/// app folder, the connection details on the command line, the app settings in the environment), its output kept.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    // The host passes the message limit on the command line; it uses int.MaxValue by default.
    private const int GrpcMaxMessageLength = int.MaxValue;

    private readonly Process _process;

    private WorkerProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Capture(e.Data);
        _process.ErrorDataReceived += (_, e) => Capture(e.Data);
    }

    /// <summary>What the worker wrote to stdout and stderr, line by line.</summary>
    public ConcurrentQueue<string> Output { get; } = new();

    /// <summary>The exit code, once the process has exited and its output is read to the end.</summary>
    public Task<int> Exited { get; private set; } = null!;

    public static WorkerProcess Start(string appDirectory, Uri hostUri, string workerId, string requestId, IReadOnlyDictionary<string, string?> settings)
    {
        string port = hostUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string maxLength = GrpcMaxMessageLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // The host's argument list (RpcWorkerProcess / WorkerProcessArguments): the old names and the functions- ones.
        foreach (string argument in (string[])[
            Path.Combine(appDirectory, "Thaw.Functions.dll"),
            "--host", hostUri.Host, "--port", port, "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", maxLength,
            "--functions-uri", hostUri.AbsoluteUri, "--functions-worker-id", workerId, "--functions-request-id", requestId,
            "--functions-grpc-max-message-length", maxLength])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        start.Environment["AzureWebJobsScriptRoot"] = appDirectory;
        foreach ((string key, string? value) in settings)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var worker = new WorkerProcess(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        worker.Exited = worker.WaitForExitAsync();
        return worker;
    }

    /// <summary>
    /// The output for a failure message: the start of an unhandled exception (its message, which a deep stack would
    /// push out of the tail), then the last lines.
    /// </summary>
    public string Tail(int lines = 40)
    {
        string[] output = [.. Output];
        int crash = Array.FindIndex(output, l => l.StartsWith("Unhandled exception.", StringComparison.Ordinal));
        IEnumerable<string> head = crash >= 0 && crash < output.Length - lines ? [.. output.Skip(crash).Take(3), "..."] : [];
        return string.Join(Environment.NewLine, head.Concat(output.TakeLast(lines)));
    }

    /// <summary>Kills the worker if it still runs, as the host does once a grace period is over.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await Exited;
        _process.Dispose();
    }

    private async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    private void Capture(string? line)
    {
        if (line is not null)
        {
            Output.Enqueue(line);
        }
    }
}
