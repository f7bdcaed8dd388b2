using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using Thaw.Http.Telemetry;

namespace Thaw.Functions;

/// <summary>
/// The request id of the standalone host (<see cref="RequestIdentity"/>) for the HTTP triggers: a worker middleware,
/// because the worker's ASP.NET Core pipeline is the platform's. Other triggers pass through.
/// </summary>
internal sealed class RequestIdMiddleware(ILogger<RequestIdMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (context.GetHttpContext() is not { } http)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        using (RequestIdentity.Begin(http, logger))
        {
            await next(context).ConfigureAwait(false);
        }
    }
}
