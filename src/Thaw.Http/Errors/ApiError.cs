using System.Net;
using Thaw.Http.Contracts;

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

    public static ApiError Conflict(string? param, string message, string code) =>
        new(HttpStatusCode.Conflict, message, "invalid_request_error", param, code);

    public static ApiError Overloaded(string message, TimeSpan retryAfter) =>
        new(HttpStatusCode.TooManyRequests, message, "overloaded_error", null, "overloaded", retryAfter);

    public static ApiError Unavailable(string message, TimeSpan retryAfter, string code) =>
        new(HttpStatusCode.ServiceUnavailable, message, "service_unavailable", null, code, retryAfter);

    public ErrorEnvelope ToEnvelope() => new() { Error = new ErrorBody { Message = Message, Type = Type, Param = Param, Code = Code } };
}
