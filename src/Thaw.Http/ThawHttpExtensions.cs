using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Thaw.Http.Endpoints;
using Thaw.Http.Jobs;
using Thaw.Http.Security;
using Thaw.Inference.Jobs;
using Thaw.Inference.Settings;

namespace Thaw.Http;

public static class ThawHttpExtensions
{
    /// <summary>
    /// Registers the endpoint handlers (used by the standalone host and the Functions app alike), the Files and Batch
    /// API and its job model (embedded defaults unless a transport was registered first).
    /// </summary>
    public static IHostApplicationBuilder AddThawHttp(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<EmbeddingsEndpoint>();
        builder.Services.TryAddSingleton<ModelsEndpoint>();
        builder.Services.TryAddSingleton<HealthEndpoint>();
        builder.Services.TryAddSingleton<FilesEndpoint>();
        builder.Services.TryAddSingleton<BatchesEndpoint>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IBatchRequestHandler, EmbeddingsBatchHandler>());
        builder.AddThawJobs();
        builder.Services.AddThawOptions<ApiKeyOptions>("Thaw");
        return builder;
    }

    /// <summary>Standalone host only: requires a configured API key on <c>/v1/*</c> (the Functions app uses function keys).</summary>
    public static IApplicationBuilder UseThawApiKeys(this IApplicationBuilder app) => app.UseMiddleware<ApiKeyMiddleware>();

    /// <summary>Maps the outside contract on the standalone host: the same paths the Functions app serves.</summary>
    public static IEndpointRouteBuilder MapThawApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/embeddings", (HttpRequest request, EmbeddingsEndpoint handler) => handler.HandleAsync(request));
        endpoints.MapGet("/v1/models", (ModelsEndpoint handler) => handler.Handle());
        endpoints.MapPost("/v1/models/{id}/warm", (string id, HttpContext context, ModelsEndpoint handler) => handler.WarmAsync(id, context.RequestAborted));
        endpoints.MapPost("/v1/files", (HttpRequest request, FilesEndpoint handler) => handler.UploadAsync(request));
        endpoints.MapGet("/v1/files", (HttpRequest request, FilesEndpoint handler) => handler.ListAsync(request));
        endpoints.MapGet("/v1/files/{id}", (string id, HttpRequest request, FilesEndpoint handler) => handler.GetAsync(id, request));
        endpoints.MapGet("/v1/files/{id}/content", (string id, HttpRequest request, FilesEndpoint handler) => handler.ContentAsync(id, request));
        endpoints.MapPost("/v1/batches", (HttpRequest request, BatchesEndpoint handler) => handler.CreateAsync(request));
        endpoints.MapGet("/v1/batches", (HttpRequest request, BatchesEndpoint handler) => handler.ListAsync(request));
        endpoints.MapGet("/v1/batches/{id}", (string id, HttpRequest request, BatchesEndpoint handler) => handler.GetAsync(id, request));
        endpoints.MapPost("/v1/batches/{id}/cancel", (string id, HttpRequest request, BatchesEndpoint handler) => handler.CancelAsync(id, request));
        endpoints.MapGet("/healthz", HealthEndpoint.Alive);
        endpoints.MapGet("/readyz", (HealthEndpoint handler) => handler.Ready());
        return endpoints;
    }
}
