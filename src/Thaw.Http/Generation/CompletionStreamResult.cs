using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Thaw.Http.Contracts;
using Thaw.Http.Errors;
using Thaw.Inference.Generation.Completions;

namespace Thaw.Http.Generation;

/// <summary>
/// A completion streamed as server-sent events. It starts once the first delta came, so that everything that can fail
/// before it (the model, the prompt, the first decode step) was answered with a status; what fails later can only be
/// told in the stream: one <c>data: {"error": ...}</c> event, then the end, without <c>[DONE]</c>. It owns the
/// completion: a client that hangs up cancels it (the request's token reached it at start) and this disposes it,
/// which frees its slots at the next step.
/// </summary>
internal sealed class CompletionStreamResult(
    TextCompletion completion,
    IAsyncEnumerator<CompletionDelta> deltas,
    bool hasFirst,
    int choices,
    ICompletionFormat format,
    bool includeUsage,
    ILogger logger) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        CancellationToken aborted = httpContext.RequestAborted;
        HttpResponse response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var events = new EventStream(response.Body);
        try
        {
            await format.WriteStartAsync(events, choices, aborted).ConfigureAwait(false);
            for (bool more = hasFirst; more; more = await deltas.MoveNextAsync().ConfigureAwait(false))
            {
                await format.WriteDeltaAsync(events, deltas.Current, aborted).ConfigureAwait(false);
            }

            if (includeUsage)
            {
                await format.WriteUsageAsync(events, await completion.GetUsageAsync().ConfigureAwait(false), aborted).ConfigureAwait(false);
            }

            await events.WriteDoneAsync(aborted).ConfigureAwait(false);
        }
        catch (Exception) when (aborted.IsCancellationRequested)
        {
            // The client hung up: nobody is left to tell, and the disposal below frees the slots.
        }
        catch (Exception e)
        {
            await events.WriteAsync(ApiGuard.Describe(e, logger).ToEnvelope(), ThawJson.Context.ErrorEnvelope, aborted).ConfigureAwait(false);
        }
        finally
        {
            completion.Dispose();
            await deltas.DisposeAsync().ConfigureAwait(false);
        }
    }
}
