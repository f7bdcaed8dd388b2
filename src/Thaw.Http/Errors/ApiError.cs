using System.Net;
using Thaw.Http.Contracts;
using Thaw.Http.Responses;

namespace Thaw.Http.Errors;

/// <summary>An error as the client sees it: status, OpenAI envelope fields and, for 429/503, when to retry.</summary>
public sealed record ApiError(HttpStatusCode Status, string Message, string Type, string? Param = null, string? Code = null, TimeSpan? RetryAfter = null)
{
    public static ApiError BadRequest(string? param, string message, string code = "invalid_value") =>
        new(HttpStatusCode.BadRequest, message, "invalid_request_error", param, code);

    public static ApiError TooLarge(string? param, string message) =>
        new(HttpStatusCode.RequestEntityTooLarge, message, "invalid_request_error", param, "request_too_large");

    public static ApiError NotFound(string? param, string message, string code) =>
        new(HttpStatusCode.NotFound, message, "invalid_request_error", param, code);

    /// <summary>A path no route serves (OpenAI answers "Invalid URL (METHOD /path)" the same way).</summary>
    public static ApiError UnknownRoute(string method, string path) =>
        new(HttpStatusCode.NotFound, $"Invalid URL ({method} {path}): Thaw serves no such route; see docs/api.md.", "invalid_request_error", null, "unknown_url");

    public static ApiError MethodNotAllowed(string method, string path, string allowed) =>
        new(HttpStatusCode.MethodNotAllowed, $"{method} is not allowed on {path}; it answers {allowed}.", "invalid_request_error", null, "method_not_allowed");

    public static ApiError Conflict(string? param, string message, string code) =>
        new(HttpStatusCode.Conflict, message, "invalid_request_error", param, code);

    public static ApiError Overloaded(string message, TimeSpan retryAfter) =>
        new(HttpStatusCode.TooManyRequests, message, "overloaded_error", null, "overloaded", retryAfter);

    public static ApiError Unavailable(string message, TimeSpan retryAfter, string code) =>
        new(HttpStatusCode.ServiceUnavailable, message, "service_unavailable", null, code, retryAfter);

    /// <summary>
    /// False where sending the same request again cannot help (a client error other than 408 and 429): the OpenAI
    /// JavaScript SDK reads <c>x-should-retry</c> before its own rule, which retries every 408, 409, 429 and 5xx.
    /// </summary>
    public bool Retryable => !Permanent && (Status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)Status >= 500);

    /// <summary>A server-side condition that lasts until the server is reconfigured: no Retry-After, <c>x-should-retry: false</c>.</summary>
    public bool Permanent { get; init; }

    /// <summary>503 for a model this server cannot load as configured (it is larger than the memory budget).</summary>
    public static ApiError Misconfigured(string param, string message, string code) =>
        new(HttpStatusCode.ServiceUnavailable, message, "service_unavailable", param, code) { Permanent = true };

    public ErrorEnvelope ToEnvelope() => new() { Error = new ErrorBody { Message = Message, Type = Type, Param = Param, Code = Code } };

    /// <summary>The JSON answer: this status, the envelope, Retry-After and <c>x-should-retry</c>.</summary>
    public JsonResult<ErrorEnvelope> ToResult() =>
        new(ToEnvelope(), ThawJson.Context.ErrorEnvelope, Status, RetryAfter, shouldRetry: Retryable);
}
