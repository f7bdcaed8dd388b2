using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Thaw.Azure;
using Thaw.Http;
using Thaw.Inference.Hosting;
using Thaw.Inference.Onnx;

FunctionsApplicationBuilder builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.AddThawInference();
builder.AddThawOnnx();
builder.AddThawAzure();
builder.AddThawHttp();
builder.Build().Run();
