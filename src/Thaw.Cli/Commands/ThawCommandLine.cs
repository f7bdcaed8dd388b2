using System.CommandLine;

namespace Thaw.Cli.Commands;

/// <summary>The <c>thaw</c> command tree, with its standard streams injected so tests can run it in-process.</summary>
public static class ThawCommandLine
{
    public static Task<int> InvokeAsync(string[] args, TextWriter stdout, TextWriter stderr, TextReader stdin, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("Thaw: serverless, scale-to-zero inference for transformer models (ONNX Runtime on CUDA or CPU).")
        {
            ServeCommand.Create(stderr),
            EmbedCommand.Create(stdout, stderr, stdin),
            GenerateCommand.Create(stdout, stderr, stdin),
            ModelsCommand.Create(stdout, stderr),
            SnapshotCommand.Create(stdout, stderr),
            BatchCommand.Create(stdout, stderr),
            BenchCommand.Create(stdout, stderr),
            SimulateCommand.Create(stdout, stderr),
            ConfigurationOverrides.CreateOption(),
            ConfigurationOverrides.CreateFileOption(),
        };
        InvalidSettingsAction.Wrap(root, stderr);
        var configuration = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            // On SIGTERM/Ctrl+C the command's token is cancelled; System.CommandLine's default then kills the process
            // after 2 s, which cut `thaw serve`'s graceful shutdown short (requests in flight were dropped). Allow the
            // host its 30 s shutdown timeout to stop accepting, finish the requests in flight and drain the batchers.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(35),
        };
        return root.Parse(args).InvokeAsync(configuration, cancellationToken);
    }
}
