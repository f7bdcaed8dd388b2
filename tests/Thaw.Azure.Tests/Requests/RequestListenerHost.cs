using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Thaw.Http;
using Thaw.Inference.Hosting;
using Thaw.Inference.Onnx;
using Thaw.Testing;

namespace Thaw.Azure.Tests.Requests;

/// <summary>
/// The request-queue tests' host, composed as <c>thaw serve</c> composes it with storage configured (real model, the
/// HTTP layer's /v1/embeddings handler, the request listener) on Azurite, with the request queue <c>requests-{suffix}</c>.
/// </summary>
internal static class RequestListenerHost
{
    public static IHost Build(Azurite azurite, string suffix, IEnumerable<(string Key, string Value)> settings, Action<IServiceCollection>? services = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(RealModels.HostSettings());
        builder.Configuration.AddInMemoryCollection(azurite.StorageSettings(suffix));
        builder.Configuration.AddInMemoryCollection([KeyValuePair.Create("Thaw:Jobs:RequestQueue", (string?)$"requests-{suffix}")]);
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        builder.AddThawInference();
        builder.AddThawOnnx();
        builder.AddThawAzure();
        builder.AddThawHttp();
        builder.AddThawRequestListener();
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>A client of an Azurite queue that reads and writes Base64 messages, as the listeners and the Functions host do.</summary>
    public static QueueClient Queue(Azurite azurite, string name) =>
        new(azurite.ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
}
