using System.CommandLine;

namespace Thaw.Cli.Commands;

internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Address(es) to listen on, separated by ';'.",
            DefaultValueFactory = _ => StandaloneHost.DefaultUrls,
        };
        var command = new Command("serve",
            "Serve the HTTP API (/v1/embeddings, /v1/models, /healthz, /readyz). Models load in the background; " +
            "/readyz answers 503 until they are ready.")
        {
            urls,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using WebApplication app = StandaloneHost.Build(parse.GetValue(urls)!, ConfigurationOverrides.Read(parse));
            await app.RunAsync(cancellationToken);
            return 0;
        });
        return command;
    }
}
