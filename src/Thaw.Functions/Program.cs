using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Hosting;
using Thaw.Azure;
using Thaw.Azure.Telemetry;
using Thaw.Http;
using Thaw.Http.Telemetry;
using Thaw.Inference.Hosting;
using Thaw.Inference.Onnx;

FunctionsApplicationBuilder builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.AddThawInference();
builder.AddThawOnnx();
builder.AddThawAzure();
builder.AddThawHttp();
builder.AddThawTelemetry(prometheus: false).UseFunctionsWorkerDefaults().AddThawAzureMonitor(builder.Configuration);
builder.Build().Run();
