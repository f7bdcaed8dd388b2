using System.CommandLine;
using Microsoft.Extensions.Options;
using Thaw.Http.Security;

namespace Thaw.Cli.Commands;

internal static class ServeCommand
{
    public static Command Create(TextWriter stderr)
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Address(es) to listen on, separated by ';'. Beyond loopback it needs Thaw:ApiKeys or --allow-anonymous.",
            DefaultValueFactory = _ => StandaloneHost.DefaultUrls,
        };
        var allowAnonymous = new Option<bool>("--allow-anonymous")
        {
            Description = "Listen beyond loopback without API keys (behind your own authentication, for instance).",
        };
        var command = new Command("serve",
            "Serve the HTTP API (/v1/embeddings, /v1/models, /healthz, /readyz). Models load in the background; " +
            "/readyz answers 503 until they are ready. With Thaw:ApiKeys set, /v1/* requires 'Authorization: Bearer <key>'. " +
            "SIGTERM or Ctrl+C stops accepting, finishes the requests in flight, then exits.")
        {
            urls, allowAnonymous,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string addresses = parse.GetValue(urls)!;
            await using WebApplication app = StandaloneHost.Build(addresses, ConfigurationOverrides.Read(parse));
            SettingsCheck.Validate(app.Services);
            bool hasKeys = app.Services.GetRequiredService<IOptions<ApiKeyOptions>>().Value.Enabled;
            if (ListenAddressPolicy.Check(addresses, hasKeys, parse.GetValue(allowAnonymous)) is { } refusal)
            {
                await stderr.WriteLineAsync($"thaw serve: {refusal}");
                return 2;
            }

            await app.RunAsync(cancellationToken);
            return 0;
        });
        return command;
    }
}
