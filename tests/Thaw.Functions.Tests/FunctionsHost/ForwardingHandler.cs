using System.Net;

namespace Thaw.Functions.Tests.FunctionsHost;

/// <summary>Sends an <see cref="HttpClient"/>'s requests through the fake host, so that any HTTP client (the OpenAI SDK's too) reaches the worker as the host forwards it.</summary>
internal sealed class ForwardingHandler(FakeFunctionsHost host) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpInvocation result = await host.SendAsync(request);
        if (result.Invocation is { Result.Status: not StatusResult.Types.Status.Success } failed)
        {
            result.Response.Dispose();
            return new HttpResponseMessage(HttpStatusCode.InternalServerError)
            {
                RequestMessage = request,
                ReasonPhrase = $"The invocation failed: {failed.Result.Exception?.Message}",
            };
        }

        result.Response.RequestMessage = request;
        return result.Response;
    }
}
