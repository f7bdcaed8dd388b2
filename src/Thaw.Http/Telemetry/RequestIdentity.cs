using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Thaw.Inference.Telemetry;

namespace Thaw.Http.Telemetry;

/// <summary>
/// Gives a request its id, in both hosts: a well-formed incoming <c>x-request-id</c> is kept (a proxy's or a client's
/// own), anything else is replaced by a new one. The id goes on the response, on the request's trace span, into
/// <see cref="HttpContext.TraceIdentifier"/> and into a log scope around the request.
/// </summary>
public static class RequestIdentity
{
    public const string HeaderName = "x-request-id";

    /// <summary>The span tag that carries the id, so a trace is found from the id a client reports.</summary>
    public const string ActivityTag = "thaw.request_id";

    /// <summary>Assigns the id and opens the log scope that the caller disposes when the request ends.</summary>
    public static IDisposable? Begin(HttpContext context, ILogger logger)
    {
        string? incoming = context.Request.Headers[HeaderName] is { Count: 1 } given ? given[0] : null;
        string id = RequestIds.IsWellFormed(incoming) ? incoming! : RequestIds.New();
        context.TraceIdentifier = id;
        context.Response.Headers[HeaderName] = id;
        Activity.Current?.SetTag(ActivityTag, id);
        return logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = id });
    }

    /// <summary>Standalone host: the first middleware, so that every answer (a 401, a 404, a refused address) has the id.</summary>
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ILogger logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RequestIdentity).FullName!);
        using (Begin(context, logger))
        {
            await next(context).ConfigureAwait(false);
        }
    }
}
