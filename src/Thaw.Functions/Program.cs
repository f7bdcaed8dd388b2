using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Thaw.Functions;

FunctionsApplication.CreateBuilder(args).AddThawFunctions().Build().Run();
