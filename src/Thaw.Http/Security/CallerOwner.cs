using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Thaw.Inference.Jobs;

namespace Thaw.Http.Security;

/// <summary>Whose files and batches a request sees: the owner of its API key, or <c>default</c>.</summary>
public static class CallerOwner
{
    /// <summary>The claim <see cref="ApiKeyAuthenticationHandler"/> puts the key's owner in.</summary>
    public const string ClaimType = "thaw_owner";

    /// <summary>
    /// The owner claimed by Thaw's own key check; <c>default</c> for anonymous callers and for the Functions app, whose
    /// function keys authorize but do not tell the worker which key was used. A claim of the same type from another
    /// authentication scheme is ignored.
    /// </summary>
    public static string Of(HttpContext context) =>
        context.User.Identities.Where(i => i.AuthenticationType == ApiKeyAuthenticationHandler.SchemeName)
            .Select(i => i.FindFirst(ClaimType)?.Value).FirstOrDefault(v => v is not null) ?? OwnerNames.Default;

    internal static ClaimsPrincipal Principal(string owner) =>
        new(new ClaimsIdentity([new Claim(ClaimType, owner)], authenticationType: ApiKeyAuthenticationHandler.SchemeName));
}
