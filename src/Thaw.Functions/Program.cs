using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Thaw.Azure;
using Thaw.Azure.Telemetry;
using Thaw.Functions;
using Thaw.Http;
using Thaw.Http.Telemetry;
using Thaw.Inference.Hosting;
using Thaw.Inference.Jobs;
using Thaw.Inference.Onnx;

FunctionsApplicationBuilder builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<RequestIdMiddleware>();
builder.AddThawInference();
builder.AddThawOnnx();
builder.AddThawAzure();
builder.AddThawHttp();
// host.json governs queue concurrency here; Thaw:Jobs settings that say otherwise stop the start.
builder.Services.AddSingleton<IValidateOptions<JobsOptions>>(new HostJsonQueueConcurrency(builder.Configuration, Path.Combine(AppContext.BaseDirectory, "host.json")));
builder.AddThawTelemetry(prometheus: false).UseFunctionsWorkerDefaults().AddThawAzureMonitor(builder.Configuration);
builder.Build().Run();
