using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Hosting;
using Thaw.Azure;
using Thaw.Azure.Telemetry;
using Thaw.Http;
using Thaw.Http.Telemetry;
using Thaw.Inference.Hosting;
using Thaw.Inference.Onnx;

namespace Thaw.Functions;

internal static class ThawFunctionsComposition
{
    /// <summary>
    /// Everything the Functions app runs on (the ASP.NET Core integration, the same services as the standalone host,
    /// telemetry), in one place so that tests can list the settings sections it reads without a Functions host.
    /// </summary>
    public static FunctionsApplicationBuilder AddThawFunctions(this FunctionsApplicationBuilder builder)
    {
        builder.ConfigureFunctionsWebApplication();
        builder.UseMiddleware<RequestIdMiddleware>();
        builder.AddThawInference();
        builder.AddThawOnnx();
        builder.AddThawAzure();
        builder.AddThawHttp();
        TriggerQueueNames.AddTo(builder.Services);
        // host.json governs queue concurrency here; Thaw:Jobs settings that say otherwise stop the start.
        HostJsonQueueConcurrency.AddTo(builder.Services, builder.Configuration);
        builder.AddThawTelemetry(prometheus: false).UseFunctionsWorkerDefaults().AddThawAzureMonitor(builder.Configuration);
        return builder;
    }
}
