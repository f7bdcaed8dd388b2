using Thaw.Http;
using Thaw.Inference.Hosting;
using Thaw.Inference.Onnx;

namespace Thaw.Cli.Commands;

/// <summary>The services of the standalone host without HTTP, for commands that run models in-process.</summary>
internal static class LocalHost
{
    public static IHost Build(IReadOnlyList<string> configurationArgs)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [.. configurationArgs],
            ContentRootPath = AppContext.BaseDirectory,
        });
        // A command loads exactly the model it needs, and waits for it as long as it takes.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Thaw:Models:Prewarm:0"] = "none",
            ["Thaw:Models:LoadWaitTimeout"] = TimeSpan.FromHours(1).ToString(),
        });
        builder.Configuration.AddCommandLine([.. configurationArgs]);
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        builder.AddThawInference();
        builder.AddThawOnnx();
        builder.AddThawHttp();
        return builder.Build();
    }
}
