using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Thaw.Http.Endpoints;
using Thaw.Http.Generation;
using Thaw.Http.Jobs;
using Thaw.Http.Security;
using Thaw.Http.Server;
using Thaw.Http.Telemetry;
using Thaw.Inference.Jobs.Local;
using Thaw.Inference.Jobs;
using Thaw.Inference.Settings;

namespace Thaw.Http;

public static class ThawHttpExtensions
{
    /// <summary>
    /// Registers the endpoint handlers (used by the standalone host and the Functions app alike), the Files and Batch
    /// API and its job model (embedded defaults unless a transport was registered first), and Kestrel's body limit
    /// for them.
    /// </summary>
    public static IHostApplicationBuilder AddThawHttp(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<EmbeddingsEndpoint>();
        builder.Services.TryAddSingleton<CompletionService>();
        builder.Services.TryAddSingleton<CompletionsEndpoint>();
        builder.Services.TryAddSingleton<ModelsEndpoint>();
        builder.Services.TryAddSingleton<HealthEndpoint>();
        builder.Services.TryAddSingleton<FilesEndpoint>();
        builder.Services.TryAddSingleton<BatchesEndpoint>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IBatchRequestHandler, EmbeddingsBatchHandler>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IBatchRequestHandler, CompletionsBatchHandler.ChatLines>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IBatchRequestHandler, CompletionsBatchHandler.TextLines>());
        builder.AddThawJobs();
        builder.Services.AddThawOptions<ApiKeyOptions>("Thaw", static (section, options) => section.Bind(options));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Transient<IConfigureOptions<KestrelServerOptions>, RequestBodyLimitSetup>());
        return builder;
    }

    /// <summary>
    /// Standalone host only (the Functions app uses function keys and its platform's front end): <c>Thaw:ApiKeys</c> as
    /// bearer keys, required by <see cref="MapThawApi"/>'s <c>/v1</c> group; the check of the addresses Kestrel
    /// bound; Kestrel's limits on slow and oversized requests (<c>Thaw:Http</c>).
    /// </summary>
    public static IHostApplicationBuilder AddThawStandaloneHttp(this IHostApplicationBuilder builder)
    {
        IServiceCollection services = builder.Services;
        services.TryAddSingleton<ApiKeyVerifier>();
        services.TryAddSingleton<ListenAddressGuard>();
        // The authentication core, not AddAuthentication: that one adds Data Protection too (for cookie schemes), whose
        // key ring is read at host start (about 35 ms measured here) and which a bearer-key scheme never uses.
        services.AddAuthenticationCore(o => o.DefaultScheme = ApiKeyAuthenticationHandler.SchemeName);
        services.AddWebEncoders();
        services.TryAddSingleton(TimeProvider.System);
        new AuthenticationBuilder(services)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, configureOptions: null);
        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<ApiKeyOptions>>((authorization, keys) =>
            authorization.AddPolicy(ApiKeyAuthenticationHandler.PolicyName, policy =>
            {
                policy.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName);
                if (keys.Value.Enabled)
                {
                    policy.RequireAuthenticatedUser();
                }
                else
                {
                    // No keys: anyone (the listen-address guard keeps such a host on loopback unless told otherwise).
                    policy.RequireAssertion(static _ => true);
                }
            }));
        // Kestrel checks the body rate on its 1 s heartbeat: the grace period must be longer (a [Range] on the option).
        services.AddThawOptions<ServerLimitsOptions>(ServerLimitsOptions.SectionName, static (section, options) => section.Bind(options));
        services.AddTransient<IConfigureOptions<KestrelServerOptions>, KestrelLimitsSetup>();
        return builder;
    }

    /// <summary>
    /// Standalone host only: the request id first (every answer carries it), the OpenAI envelope for what no route
    /// answers (404, 405), the listen-address gate (nothing is served until the bound addresses passed), then
    /// authentication and authorization for the endpoints' policies.
    /// </summary>
    public static WebApplication UseThawStandaloneHttp(this WebApplication app)
    {
        ListenAddressGuard guard = app.Services.GetRequiredService<ListenAddressGuard>();
        app.Lifetime.ApplicationStarted.Register(guard.Check);
        app.Use(RequestIdentity.InvokeAsync);
        app.Use(UnmatchedRoutes.InvokeAsync);
        app.Use(guard.InvokeAsync);
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>
    /// Maps the outside contract on the standalone host: the same paths the Functions app serves. Everything under
    /// <c>/v1</c> carries the API-key policy (<see cref="AddThawStandaloneHttp"/>); the health probes stay open.
    /// </summary>
    public static IEndpointRouteBuilder MapThawApi(this IEndpointRouteBuilder endpoints)
    {
        RouteGroupBuilder v1 = endpoints.MapGroup("/v1");
        v1.RequireAuthorization(ApiKeyAuthenticationHandler.PolicyName);
        v1.MapPost("/embeddings", (HttpRequest request, EmbeddingsEndpoint handler) => handler.HandleAsync(request));
        v1.MapPost("/chat/completions", (HttpRequest request, CompletionsEndpoint handler) => handler.ChatAsync(request));
        v1.MapPost("/completions", (HttpRequest request, CompletionsEndpoint handler) => handler.CompleteAsync(request));
        v1.MapGet("/models", (ModelsEndpoint handler) => handler.Handle());
        v1.MapGet("/models/{id}", (string id, HttpContext context, ModelsEndpoint handler) => handler.GetAsync(id, context.RequestAborted));
        v1.MapPost("/models/{id}/warm", (string id, HttpContext context, ModelsEndpoint handler) => handler.WarmAsync(id, context.RequestAborted));
        v1.MapPost("/files", (HttpRequest request, FilesEndpoint handler) => handler.UploadAsync(request));
        v1.MapGet("/files", (HttpRequest request, FilesEndpoint handler) => handler.ListAsync(request));
        v1.MapGet("/files/{id}", (string id, HttpRequest request, FilesEndpoint handler) => handler.GetAsync(id, request));
        v1.MapDelete("/files/{id}", (string id, HttpRequest request, FilesEndpoint handler) => handler.DeleteAsync(id, request));
        v1.MapGet("/files/{id}/content", (string id, HttpRequest request, FilesEndpoint handler) => handler.ContentAsync(id, request));
        v1.MapPost("/batches", (HttpRequest request, BatchesEndpoint handler) => handler.CreateAsync(request));
        v1.MapGet("/batches", (HttpRequest request, BatchesEndpoint handler) => handler.ListAsync(request));
        v1.MapGet("/batches/{id}", (string id, HttpRequest request, BatchesEndpoint handler) => handler.GetAsync(id, request));
        v1.MapPost("/batches/{id}/cancel", (string id, HttpRequest request, BatchesEndpoint handler) => handler.CancelAsync(id, request));
        endpoints.MapGet("/healthz", HealthEndpoint.Alive);
        endpoints.MapGet("/readyz", (HealthEndpoint handler) => handler.Ready());
        return endpoints;
    }
}
