using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Thaw.Http.Endpoints;
using Thaw.Http.Security;

namespace Thaw.Http;

public static class ThawHttpExtensions
{
    /// <summary>Registers the endpoint handlers (used by the standalone host and the Functions app alike).</summary>
    public static IHostApplicationBuilder AddThawHttp(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<EmbeddingsEndpoint>();
        builder.Services.TryAddSingleton<ModelsEndpoint>();
        builder.Services.TryAddSingleton<HealthEndpoint>();
        builder.Services.AddOptions<ApiKeyOptions>().BindConfiguration("Thaw");
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
        endpoints.MapGet("/healthz", HealthEndpoint.Alive);
        endpoints.MapGet("/readyz", (HealthEndpoint handler) => handler.Ready());
        return endpoints;
    }
}
