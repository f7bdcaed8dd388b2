using System.CommandLine;
using Thaw.Cli.Commands;

var root = new RootCommand("Thaw: serverless, scale-to-zero inference for transformer models (ONNX Runtime on CUDA or CPU).")
{
    ServeCommand.Create(),
    EmbedCommand.Create(Console.Out, Console.Error, Console.In),
    ModelsCommand.Create(Console.Out),
    BenchCommand.Create(Console.Out, Console.Error),
    ConfigurationOverrides.Option,
};
return await root.Parse(args).InvokeAsync();
