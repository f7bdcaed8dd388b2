using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Thaw.Http.Responses;

/// <summary>
/// Writes a source-generated JSON document with a status and an optional Retry-After. Needs nothing from
/// the request's services, so it runs the same under Kestrel, the Functions worker and a test's HttpContext.
/// <paramref name="shouldRetry"/> false writes <c>x-should-retry: false</c> (an error that a retry cannot cure).
/// </summary>
public sealed class JsonResult<T>(T value, JsonTypeInfo<T> typeInfo, HttpStatusCode status = HttpStatusCode.OK, TimeSpan? retryAfter = null, bool shouldRetry = true) : IResult
{
    public T Value => value;

    public HttpStatusCode Status => status;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        HttpResponse response = httpContext.Response;
        response.StatusCode = (int)status;
        response.ContentType = "application/json; charset=utf-8";
        if (!shouldRetry)
        {
            response.Headers["x-should-retry"] = "false";
        }

        if (retryAfter is { } delay)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        await JsonSerializer.SerializeAsync(response.Body, value, typeInfo, httpContext.RequestAborted).ConfigureAwait(false);
    }
}
