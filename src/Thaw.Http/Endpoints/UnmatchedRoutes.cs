using System.Net;
using Microsoft.AspNetCore.Http;
using Thaw.Http.Errors;

namespace Thaw.Http.Endpoints;

/// <summary>
/// Standalone host: what routing leaves unanswered gets the OpenAI envelope instead of an empty body. Routing itself
/// decides: no endpoint is a 404; a path that exists under another method gets routing's 405, whose <c>Allow</c>
/// header (set by ASP.NET Core) names the methods that path answers.
/// </summary>
internal static class UnmatchedRoutes
{
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        await next(context).ConfigureAwait(false);
        HttpResponse response = context.Response;
        if (response.HasStarted || response.ContentType is not null || response.ContentLength is not null)
        {
            return;
        }

        string path = context.Request.Path.Value ?? "/";
        ApiError? error = (HttpStatusCode)response.StatusCode switch
        {
            HttpStatusCode.NotFound => ApiError.UnknownRoute(context.Request.Method, path),
            HttpStatusCode.MethodNotAllowed => ApiError.MethodNotAllowed(context.Request.Method, path, response.Headers.Allow.ToString()),
            _ => null,
        };
        if (error is not null)
        {
            await error.ToResult().ExecuteAsync(context).ConfigureAwait(false);
        }
    }
}
