using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Thaw.Http.Tests;

/// <summary>The routes a host maps, read from its endpoints, so that a route added later is tested without listing it.</summary>
internal static partial class ThawRoutes
{
    /// <summary>Every (method, path) the app serves, each route parameter given <paramref name="id"/>.</summary>
    public static IReadOnlyList<(string Method, string Path)> Of(WebApplication app, string id = "x1") =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => (method, Parameter().Replace(e.RoutePattern.RawText!, id))))
            .Distinct()
            .OrderBy(r => r.Item2, StringComparer.Ordinal).ThenBy(r => r.method, StringComparer.Ordinal)
            .ToArray();

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
