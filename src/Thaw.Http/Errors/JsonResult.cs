using Thaw.Http.Contracts;
using Thaw.Http.Responses;

namespace Thaw.Http.Errors;

/// <summary>
/// The JSON answer for an <see cref="ApiError"/>: its status, envelope, Retry-After and <c>x-should-retry</c>. It sits
/// with the error map rather than beside <see cref="JsonResult{T}"/> so that the results stay a leaf that
/// <see cref="ApiGuard"/> can use without the two namespaces using each other.
/// </summary>
public static class JsonResult
{
    public static JsonResult<ErrorEnvelope> Error(ApiError error) =>
        new(error.ToEnvelope(), ThawJson.Context.ErrorEnvelope, error.Status, error.RetryAfter, shouldRetry: error.Retryable);
}
