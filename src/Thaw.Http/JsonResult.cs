using Thaw.Http.Contracts;
using Thaw.Http.Errors;

namespace Thaw.Http;

public static class JsonResult
{
    public static JsonResult<ErrorEnvelope> Error(ApiError error) =>
        new(error.ToEnvelope(), ThawJson.Context.ErrorEnvelope, error.Status, error.RetryAfter, shouldRetry: error.Retryable);
}
