using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Google.Protobuf;
using Thaw.Functions.Tests.FunctionsHost;
using Thaw.Testing;

namespace Thaw.Functions.Tests;

/// <summary>
/// A queue trigger invoked through the protocol with a real Azurite message as the host delivers it: read with
/// Base64 decoding, bound as the queue extension's model binding data (the message as JSON), the dequeue count in
/// the trigger metadata, and deleted after the invocation succeeds. Retries and the host's own poison handling are
/// not performed by the fake.
/// </summary>
public sealed class QueueThroughWorkerTests(Azurite azurite) : IClassFixture<Azurite>
{
    [Fact]
    public async Task BatchJobs_MessageThatIsNotAJob_IsMovedToThePoisonQueueAndTheInvocationSucceeds()
    {
        string suffix = Guid.NewGuid().ToString("N")[..12];
        Dictionary<string, string?> settings = WorkerSettings.Default();
        settings["Thaw__Storage__ConnectionString"] = azurite.ConnectionString;
        settings["Thaw__Storage__SnapshotContainer"] = $"snapshots-{suffix}";
        settings["Thaw__Files__Container"] = $"files-{suffix}";
        settings["Thaw__Jobs__Queue"] = $"jobs-{suffix}";
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        var queue = new QueueClient(azurite.ConnectionString, $"jobs-{suffix}", options);
        var poison = new QueueClient(azurite.ConnectionString, $"jobs-{suffix}-poison", options);
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("not a job");
        await using FakeFunctionsHost host = await FakeFunctionsHost.StartAsync(settings);

        QueueMessage message = (await queue.ReceiveMessageAsync()).Value;
        InvocationResponse response = await host.InvokeAsync("BatchJobs", [new ParameterBinding
        {
            Name = "message",
            Data = new TypedData
            {
                ModelBindingData = new ModelBindingData
                {
                    Version = "1.0",
                    Source = "AzureStorageQueues",
                    ContentType = "application/json",
                    Content = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(message)),
                },
            },
        }], new Dictionary<string, TypedData>
        {
            // Numbers travel as JSON: the worker rejects TypedData.Int in trigger metadata ("Int is not supported").
            ["DequeueCount"] = new() { Json = message.DequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            ["Id"] = new() { String = message.MessageId },
            ["QueueTrigger"] = new() { String = message.MessageText },
        });
        if (response.Result.Status == StatusResult.Types.Status.Success)
        {
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        }

        Assert.True(response.Result.Status == StatusResult.Types.Status.Success, response.Result.Exception?.Message);
        QueueMessage[] poisoned = (await poison.ReceiveMessagesAsync(maxMessages: 10)).Value;
        Assert.Equal(["not a job"], poisoned.Select(m => m.MessageText));
    }
}
