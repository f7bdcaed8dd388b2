using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.Generation.Templates;
using Thaw.Inference.Jobs;
using Thaw.Inference.Models;

namespace Thaw.Http.Errors;

/// <summary>The one place where exceptions become HTTP answers: typed errors keep their status, the rest is a logged 500.</summary>
internal static partial class ApiGuard
{
    public static async Task<IResult> RunAsync(Func<Task<IResult>> handler, ILogger logger, CancellationToken requestAborted)
    {
        try
        {
            return await handler().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (requestAborted.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            return Describe(e, logger).ToResult();
        }
    }

    /// <summary>
    /// The answer for an exception: what <see cref="RunAsync"/> sends as a status and body, and what a stream that
    /// already sent its headers writes as its last event. An unexpected exception is logged here.
    /// </summary>
    public static ApiError Describe(Exception exception, ILogger logger)
    {
        switch (exception)
        {
            case ApiException e:
                return e.Error;
            case ModelNotFoundException e:
                return ApiError.NotFound("model", e.Message, "model_not_found");
            case ModelNotReadyException e:
                return ApiError.Unavailable(e.Message, e.RetryAfter, e.State == ModelState.Loading ? "model_loading" : "model_unavailable");
            case ModelTooLargeException e:
                return ApiError.Misconfigured("model", e.Message, "model_too_large");
            case OverloadedException e:
                return ApiError.Overloaded(e.Message, e.RetryAfter);
            case TooManyInputsException e:
                return ApiError.TooLarge("input", e.Message);
            case FileTooLargeException e:
                return ApiError.TooLarge("file", e.Message);
            case JobQueueFullException e:
                return ApiError.Overloaded(e.Message, TimeSpan.FromSeconds(30));
            case BatcherClosedException e:
                return ApiError.Unavailable(e.Message, TimeSpan.FromSeconds(1), "shutting_down");
            case UnsupportedChatContentException e:
                return ApiError.BadRequest(e.Field, e.Message);
            case BadHttpRequestException e:
                // Kestrel's verdict on the request itself (a body shorter than declared, too slow, too large).
                return BadRequestBody(e);
            default:
                LogUnexpected(logger, exception);
                return new ApiError(HttpStatusCode.InternalServerError, "The server failed to process the request; see its log.", "server_error");
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
