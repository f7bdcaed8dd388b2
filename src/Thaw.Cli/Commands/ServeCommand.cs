using System.CommandLine;
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
            var overrides = new Dictionary<string, string?>(ConfigurationOverrides.Read(parse), StringComparer.OrdinalIgnoreCase);
            if (parse.GetValue(allowAnonymous))
            {
                overrides["Thaw:AllowAnonymous"] = "true";
            }

            await using WebApplication app = StandaloneHost.Build(parse.GetValue(urls)!, overrides);
            SettingsCheck.Validate(app.Services);
            // Kestrel:Endpoints (appsettings, environment, --set) override --urls: only the bound addresses tell.
            ListenAddressGuard guard = app.Services.GetRequiredService<ListenAddressGuard>();
            await app.RunAsync(cancellationToken);
            if (guard.Refusal is { } refusal)
            {
                await stderr.WriteLineAsync($"thaw serve: {refusal}");
                return 2;
            }

            return 0;
        });
        return command;
    }
}
