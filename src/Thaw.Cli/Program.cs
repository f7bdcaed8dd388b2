using Thaw.Cli.Commands;

return await ThawCommandLine.InvokeAsync(args, Console.Out, Console.Error, Console.In);
