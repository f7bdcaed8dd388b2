using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
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
/// HTTP layer's batch-line handlers, the request listener) on Azurite, with the request queue <c>requests-{suffix}</c>.
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

    /// <summary>Receives replies until <paramref name="count"/> ids are answered (each once), deleting them.</summary>
    public static async Task<Dictionary<string, JsonElement>> CollectAsync(QueueClient replies, int count)
    {
        var answers = new Dictionary<string, JsonElement>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (answers.Count < count)
        {
            QueueMessage[] messages = (await replies.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1), timeout.Token)).Value;
            foreach (QueueMessage message in messages)
            {
                using JsonDocument reply = JsonDocument.Parse(message.Body);
                Assert.True(answers.TryAdd(reply.RootElement.GetProperty("id").GetString()!, reply.RootElement.Clone()), "A request was answered twice.");
                await replies.DeleteMessageAsync(message.MessageId, message.PopReceipt, timeout.Token);
            }

            if (messages.Length == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token);
            }
        }

        return answers;
    }

    /// <summary>The one message on <paramref name="queue"/>, once it is there.</summary>
    public static async Task<PeekedMessage> PeekOneAsync(QueueClient queue)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            // The listener creates the poison queue on its first receive.
            if (await queue.ExistsAsync(timeout.Token) && (await queue.PeekMessagesAsync(10, timeout.Token)).Value is [PeekedMessage only])
            {
                return only;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token);
        }
    }
}
