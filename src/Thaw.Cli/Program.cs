using Thaw.Cli;

return await ThawCommandLine.InvokeAsync(args, Console.Out, Console.Error, Console.In);
