using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Thaw.Http.Contracts;

namespace Thaw.Http.Security;

/// <summary>
/// Requires <c>Authorization: Bearer &lt;key&gt;</c> on <c>/v1/*</c> when keys are configured (health probes stay
/// open). Keys are compared as SHA-256 digests in constant time, so neither content nor length leaks by timing.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, IOptions<ApiKeyOptions> options)
{
    private readonly byte[][] _digests = options.Value.ApiKeys
        .Where(k => !string.IsNullOrWhiteSpace(k))
        .Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k.Trim())))
        .ToArray();

    public Task InvokeAsync(HttpContext context)
    {
        if (_digests.Length == 0 || !context.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal))
        {
            return next(context);
        }

        string? presented = BearerToken(context.Request.Headers.Authorization.ToString());
        if (presented is not null && Accepts(presented))
        {
            return next(context);
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        string message = presented is null
            ? "Missing API key: send 'Authorization: Bearer <key>'."
            : "Incorrect API key.";
        return new JsonResult<ErrorEnvelope>(
            new ErrorEnvelope { Error = new ErrorBody { Message = message, Type = "invalid_request_error", Param = null, Code = "invalid_api_key" } },
            ThawJson.Context.ErrorEnvelope,
            System.Net.HttpStatusCode.Unauthorized).ExecuteAsync(context);
    }

    private bool Accepts(string presented)
    {
        byte[] digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        bool match = false;
        foreach (byte[] key in _digests)
        {
            match |= CryptographicOperations.FixedTimeEquals(digest, key);
        }

        return match;
    }

    private static string? BearerToken(string header) =>
        header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
}
