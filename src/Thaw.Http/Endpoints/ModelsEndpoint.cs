using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Thaw.Http.Contracts;
using Thaw.Http.Errors;
using Thaw.Http.Responses;
using Thaw.Inference.Catalog;
using Thaw.Inference.Models;

namespace Thaw.Http.Endpoints;

/// <summary>
/// <c>GET /v1/models</c>: the catalog, with each model's state on this instance; <c>GET /v1/models/{id}</c>: one of
/// them, the same fields; <c>POST /v1/models/{id}/warm</c>: start loading a model ahead of its requests (a demo page
/// opened, a batch about to start).
/// </summary>
public sealed class ModelsEndpoint(ModelHost models, ILogger<ModelsEndpoint> logger)
{
    public IResult Handle() => new JsonResult<ModelsResponse>(List(), ThawJson.Context.ModelsResponse);

    /// <summary>The model as the list shows it; 404 (<c>model_not_found</c>) for an id the catalog does not hold.</summary>
    public Task<IResult> GetAsync(string id, CancellationToken cancellationToken = default) => ApiGuard.RunAsync(() =>
        Task.FromResult<IResult>(new JsonResult<ModelItem>(Describe(models.Catalog.Get(id)), ThawJson.Context.ModelItem)), logger, cancellationToken);

    /// <summary>Starts the model's load unless it is loaded or loading: 200 when ready, else 202 with its state.</summary>
    public Task<IResult> WarmAsync(string id, CancellationToken cancellationToken = default) => ApiGuard.RunAsync(() =>
    {
        ModelManifest manifest = models.Catalog.Get(id);
        _ = models.LoadAsync(manifest.Id).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        ModelItem item = Describe(manifest);
        return Task.FromResult<IResult>(
            new JsonResult<ModelItem>(item, ThawJson.Context.ModelItem, item.State == ModelState.Ready ? HttpStatusCode.OK : HttpStatusCode.Accepted));
    }, logger, cancellationToken);

    public ModelsResponse List() => new()
    {
        Data = models.Catalog.Models.OrderBy(m => m.Id, StringComparer.Ordinal).Select(Describe).ToArray(),
    };

    private ModelItem Describe(ModelManifest m)
    {
        ModelStatus status = models.GetStatus(m.Id);
        return new ModelItem
        {
            Id = m.Id,
            Created = m.Published is { } published ? new DateTimeOffset(published, TimeOnly.MinValue, TimeSpan.Zero).ToUnixTimeSeconds() : 0,
            Task = m.Task.Name(),
            // Each task's manifest fills its own fields; the others stay 0 and are left out.
            Dimensions = m.Dimensions > 0 ? m.Dimensions : null,
            MaxTokens = m.MaxTokens > 0 ? m.MaxTokens : null,
            ContextLength = m.Generation?.ContextLength,
            State = status.State,
            Default = m.Id == models.Catalog.DefaultModelId,
            Error = status.Error,
        };
    }
}
