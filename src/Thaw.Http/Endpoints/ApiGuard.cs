using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Thaw.Http.Errors;
using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.Jobs;
using Thaw.Inference.Models;

namespace Thaw.Http.Endpoints;

/// <summary>The one place where exceptions become HTTP answers: typed errors keep their status, the rest is a logged 500.</summary>
internal static partial class ApiGuard
{
    public static async Task<IResult> RunAsync(Func<Task<IResult>> handler, ILogger logger, CancellationToken requestAborted)
    {
        try
        {
            return await handler().ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            return JsonResult.Error(e.Error);
        }
        catch (ModelNotFoundException e)
        {
            return JsonResult.Error(ApiError.NotFound("model", e.Message, "model_not_found"));
        }
        catch (ModelNotReadyException e)
        {
            return JsonResult.Error(ApiError.Unavailable(e.Message, e.RetryAfter, e.State == ModelState.Loading ? "model_loading" : "model_unavailable"));
        }
        catch (OverloadedException e)
        {
            return JsonResult.Error(ApiError.Overloaded(e.Message, e.RetryAfter));
        }
        catch (TooManyInputsException e)
        {
            return JsonResult.Error(ApiError.TooLarge("input", e.Message));
        }
        catch (FileTooLargeException e)
        {
            return JsonResult.Error(ApiError.TooLarge("file", e.Message));
        }
        catch (JobQueueFullException e)
        {
            return JsonResult.Error(ApiError.Overloaded(e.Message, TimeSpan.FromSeconds(30)));
        }
        catch (BatcherClosedException e)
        {
            return JsonResult.Error(ApiError.Unavailable(e.Message, TimeSpan.FromSeconds(1), "shutting_down"));
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's verdict on the request itself (a body shorter than declared, too slow, too large).
            return JsonResult.Error(BadRequestBody(e));
        }
        catch (OperationCanceledException) when (requestAborted.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            LogUnexpected(logger, e);
            return JsonResult.Error(new ApiError(HttpStatusCode.InternalServerError, "The server failed to process the request; see its log.", "server_error"));
        }
    }

    private static ApiError BadRequestBody(BadHttpRequestException e) => (HttpStatusCode)e.StatusCode switch
    {
        HttpStatusCode.RequestEntityTooLarge => ApiError.TooLarge(null, e.Message),
        HttpStatusCode.RequestTimeout => new ApiError(HttpStatusCode.RequestTimeout, e.Message, "invalid_request_error", null, "request_timeout"),
        _ => ApiError.BadRequest(null, e.Message, "invalid_request_body"),
    };

    [LoggerMessage(EventId = 400, Level = LogLevel.Error, Message = "Request failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);
}
