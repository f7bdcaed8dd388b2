using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Thaw.Http.Endpoints;

namespace Thaw.Functions;

/// <summary>
/// The outside contract as HTTP triggers: the same paths as the standalone host (host.json sets routePrefix ""),
/// the same handlers. <c>/v1/*</c> need a function key; health probes are anonymous.
/// </summary>
public sealed class HttpFunctions(EmbeddingsEndpoint embeddings, CompletionsEndpoint completions, ModelsEndpoint models, HealthEndpoint health)
{
    [Function("Embeddings")]
    public Task<IResult> EmbeddingsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/embeddings")] HttpRequest request) =>
        embeddings.HandleAsync(request);

    [Function("ChatCompletions")]
    public Task<IResult> ChatCompletionsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/chat/completions")] HttpRequest request) =>
        completions.ChatAsync(request);

    [Function("Completions")]
    public Task<IResult> CompletionsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/completions")] HttpRequest request) =>
        completions.CompleteAsync(request);

    [Function("Models")]
    public IResult Models(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/models")] HttpRequest request) =>
        models.Handle();

    [Function("ModelsGet")]
    public Task<IResult> GetModelAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/models/{id}")] HttpRequest request, string id) =>
        models.GetAsync(id, request.HttpContext.RequestAborted);

    [Function("WarmModel")]
    public Task<IResult> WarmModelAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/models/{id}/warm")] HttpRequest request, string id) =>
        models.WarmAsync(id, request.HttpContext.RequestAborted);

    [Function("Healthz")]
    public IResult Healthz(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "healthz")] HttpRequest request) =>
        HealthEndpoint.Alive();

    [Function("Readyz")]
    public IResult Readyz(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "readyz")] HttpRequest request) =>
        health.Ready();
}
