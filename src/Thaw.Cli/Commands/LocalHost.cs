namespace Thaw.Cli.Commands;

/// <summary>The services of the standalone host without HTTP, for commands that run models in-process.</summary>
internal static class LocalHost
{
    public static IHost Build(IReadOnlyDictionary<string, string?> overrides)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
        });
        // A command loads exactly the model it needs, waits for it as long as it takes, and keeps standard
        // output for its result: logs go to standard error, warnings and worse only.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Thaw:Models:Prewarm:0"] = "none",
            ["Thaw:Models:LoadWaitTimeout"] = TimeSpan.FromHours(1).ToString(),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Configuration.AddInMemoryCollection(overrides);
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);

        builder.AddThaw();
        IHost host = builder.Build();
        SettingsCheck.Validate(host.Services);
        return host;
    }
}
