using System.Net;

namespace Thaw.Http.Security;

/// <summary>Refuses to expose an unauthenticated API beyond this machine by accident.</summary>
public static class ListenAddressPolicy
{
    /// <summary>Returns why listening on <paramref name="urls"/> is refused, or null when it is allowed.</summary>
    /// <param name="urls">';'-separated URLs as given to <c>--urls</c>.</param>
    /// <param name="hasApiKeys">Whether <c>Thaw:ApiKeys</c> holds at least one key.</param>
    /// <param name="allowAnonymous">The operator's explicit <c>--allow-anonymous</c> (<c>Thaw:AllowAnonymous</c>).</param>
    public static string? Check(string urls, bool hasApiKeys, bool allowAnonymous) =>
        Check(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), hasApiKeys, allowAnonymous);

    /// <summary>Returns why listening on <paramref name="addresses"/> is refused, or null when it is allowed.</summary>
    /// <param name="addresses">Listen addresses, e.g. the ones Kestrel reports it bound.</param>
    /// <param name="hasApiKeys">Whether <c>Thaw:ApiKeys</c> holds at least one key.</param>
    /// <param name="allowAnonymous">The operator's explicit <c>--allow-anonymous</c> (<c>Thaw:AllowAnonymous</c>).</param>
    public static string? Check(IEnumerable<string> addresses, bool hasApiKeys, bool allowAnonymous)
    {
        if (hasApiKeys || allowAnonymous)
        {
            return null;
        }

        string[] exposed = addresses.Where(url => !IsLocal(url)).ToArray();
        return exposed.Length == 0
            ? null
            : $"Refusing to listen on {string.Join(", ", exposed)} without an API key: anyone who can reach it could use it. " +
              "Set Thaw:ApiKeys (e.g. Thaw__ApiKeys__0=<key>), listen on 127.0.0.1, or pass --allow-anonymous " +
              "(Thaw:AllowAnonymous=true) if that is intended.";
    }

    private static bool IsLocal(string url)
    {
        // A Unix socket is reached through the file system of this machine only.
        if (url.StartsWith("http://unix:", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://unix:", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // Kestrel's wildcards (http://*:80, http://+:80, http://0.0.0.0:80) bind every interface.
        if (!Uri.TryCreate(url.Replace("://*", "://wildcard", StringComparison.Ordinal).Replace("://+", "://wildcard", StringComparison.Ordinal), UriKind.Absolute, out Uri? uri))
        {
            return false;
        }

        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? address) && IPAddress.IsLoopback(address));
    }
}
