namespace Thaw.Functions.Tests.FunctionsHost;

/// <summary>
/// A forwarded HTTP request's outcome: the worker's HTTP response and the invocation's result (null when no function
/// matched the route, as the host answers 404 without invoking anything).
/// </summary>
internal sealed record HttpInvocation(HttpResponseMessage Response, InvocationResponse? Invocation);
