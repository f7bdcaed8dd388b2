using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Http.Errors;

namespace Thaw.Http.Security;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c> against <c>Thaw:ApiKeys</c> and <c>Thaw:Owners</c>; the key's owner becomes
/// the <see cref="CallerOwner.ClaimType"/> claim that the endpoints read through <see cref="CallerOwner.Of"/>. The requirement itself is the
/// <see cref="PolicyName"/> on the <c>/v1</c> route group, so it holds for whatever path the router matched (any casing,
/// any encoding Kestrel normalizes), not for the paths a prefix check happens to recognise. A challenge answers 401
/// in the OpenAI envelope with <c>WWW-Authenticate: Bearer</c>.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyVerifier keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ThawApiKey";

    /// <summary>The authorization policy of the <c>/v1</c> group: a valid key when keys are configured, else anyone.</summary>
    public const string PolicyName = "ThawApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? presented = BearerToken(Request.Headers.Authorization.ToString());
        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (keys.OwnerOf(presented) is not { } owner)
        {
            return Task.FromResult(AuthenticateResult.Fail("Incorrect API key."));
        }

        ClaimsPrincipal principal = CallerOwner.Principal(owner);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        AuthenticateResult result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        string message = result.Failure is null
            ? "Missing API key: send 'Authorization: Bearer <key>'."
            : "Incorrect API key.";
        Response.Headers.WWWAuthenticate = "Bearer";
        await new ApiError(HttpStatusCode.Unauthorized, message, "invalid_request_error", null, "invalid_api_key").ToResult()
            .ExecuteAsync(Context).ConfigureAwait(false);
    }

    private static string? BearerToken(string header) =>
        header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
}
