using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace Thaw.Functions.Tests.FunctionsHost;

/// <summary>The host's HTTP routing: each HTTP trigger's route (under the route prefix) and methods.</summary>
internal sealed class HttpTriggerRoutes
{
    private readonly List<Route> _routes;

    private HttpTriggerRoutes(List<Route> routes) => _routes = routes;

    public static HttpTriggerRoutes Create(IEnumerable<RpcFunctionMetadata> functions, string routePrefix)
    {
        var routes = new List<Route>();
        foreach (RpcFunctionMetadata function in functions)
        {
            foreach (string raw in function.RawBindings)
            {
                using JsonDocument binding = JsonDocument.Parse(raw);
                JsonElement root = binding.RootElement;
                if (!string.Equals(root.GetProperty("type").GetString(), "httpTrigger", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                string route = root.TryGetProperty("route", out JsonElement r) && r.GetString() is { } value ? value : function.Name;
                string[]? methods = root.TryGetProperty("methods", out JsonElement m) && m.ValueKind == JsonValueKind.Array
                    ? m.EnumerateArray().Select(x => x.GetString()!).ToArray()
                    : null;
                string template = string.IsNullOrEmpty(routePrefix) ? route : $"{routePrefix}/{route}";
                routes.Add(new Route(function, root.GetProperty("name").GetString()!, methods,
                    new TemplateMatcher(TemplateParser.Parse(template), new RouteValueDictionary())));
            }
        }
        return new HttpTriggerRoutes(routes);
    }

    public HttpRouteMatch? Match(string method, string path)
    {
        foreach (Route route in _routes)
        {
            var values = new RouteValueDictionary();
            if ((route.Methods is null || route.Methods.Contains(method, StringComparer.OrdinalIgnoreCase)) && route.Matcher.TryMatch(path, values))
            {
                return new HttpRouteMatch(route.Function, route.TriggerName,
                    values.ToDictionary(v => v.Key, v => Convert.ToString(v.Value, System.Globalization.CultureInfo.InvariantCulture) ?? ""));
            }
        }

        return null;
    }

    private sealed record Route(RpcFunctionMetadata Function, string TriggerName, string[]? Methods, TemplateMatcher Matcher);
}
