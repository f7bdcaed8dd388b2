using Microsoft.AspNetCore.Http;
using Thaw.Http.Contracts;
using Thaw.Inference.Models;

namespace Thaw.Http.Endpoints;

/// <summary><c>GET /v1/models</c>: the catalog, with each model's state on this instance.</summary>
public sealed class ModelsEndpoint(ModelHost models)
{
    public IResult Handle() => new JsonResult<ModelsResponse>(List(), ThawJson.Context.ModelsResponse);

    public ModelsResponse List() => new()
    {
        Data = models.Catalog.Models.OrderBy(m => m.Id, StringComparer.Ordinal).Select(m => new ModelItem
        {
            Id = m.Id,
            Task = m.Task.ToString().ToLowerInvariant(),
            Dimensions = m.Dimensions,
            MaxTokens = m.MaxTokens,
            State = models.GetStatus(m.Id).State,
            Default = m.Id == models.Catalog.DefaultModelId,
        }).ToArray(),
    };
}
