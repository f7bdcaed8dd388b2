using Microsoft.AspNetCore.Http;

namespace Thaw.Http.Responses;

/// <summary>Streams content to the response (a stored file); like <see cref="JsonResult{T}"/>, needs no request services.</summary>
public sealed class StreamResult(Stream content, string contentType, long? length) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        await using (content.ConfigureAwait(false))
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = contentType;
            httpContext.Response.ContentLength = length;
            await content.CopyToAsync(httpContext.Response.Body, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
