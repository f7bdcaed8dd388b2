namespace Thaw.Functions.Tests.FunctionsHost;

/// <summary>The function an HTTP request routes to, its trigger binding's name, and the route values.</summary>
internal sealed record HttpRouteMatch(RpcFunctionMetadata Function, string TriggerName, IReadOnlyDictionary<string, string> Values);
