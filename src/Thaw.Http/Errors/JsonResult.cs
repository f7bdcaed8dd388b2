using Thaw.Http.Contracts;
using Thaw.Http.Responses;

namespace Thaw.Http.Errors;

public static class JsonResult
{
    public static JsonResult<ErrorEnvelope> Error(ApiError error) =>
        new(error.ToEnvelope(), ThawJson.Context.ErrorEnvelope, error.Status, error.RetryAfter, shouldRetry: error.Retryable);
}
