using System.ClientModel;
using OpenAI;

namespace Thaw.Http.Tests.Conformance;

/// <summary>The official OpenAI .NET SDK pointed at a Thaw server, as a user configures it (base URL ending in /v1).</summary>
internal static class OpenAiClients
{
    public static OpenAIClient For(HttpClient server, string key = "unused") =>
        new(new ApiKeyCredential(key), new OpenAIClientOptions
        {
            Endpoint = new Uri(server.BaseAddress!, "/v1"),
            // The SDK's own back-off would turn a wrong status into a slow test instead of a failed one.
            RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(maxRetries: 0),
        });
}
