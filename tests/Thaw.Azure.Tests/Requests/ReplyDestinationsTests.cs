using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Thaw.Azure.Jobs;
using Thaw.Testing;

namespace Thaw.Azure.Tests.Requests;

/// <summary>
/// Where a queued request's reply may go (issue 11, item 2), on real Azurite: the audit's six messages — overwriting
/// another batch's input and output, a batch record and a snapshot manifest, creating a container and a queue — are
/// refused (poisoned, nothing written, the log names the destination); a configured container gets the reply once and a
/// redelivery does not overwrite it.
/// </summary>
public sealed class ReplyDestinationsTests(Azurite azurite) : IClassFixture<Azurite>
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..12];
    private readonly CapturingLogger<QueuedRequestProcessor> _log = new();

    [Fact]
    public async Task Listener_ReplyToWhatIsNotConfigured_IsPoisonedAndNothingInStorageChanges()
    {
        BlobContainerClient files = await ContainerAsync($"files-{_suffix}");
        BlobContainerClient snapshots = await ContainerAsync($"snapshots-{_suffix}");
        await ContainerAsync($"replies-{_suffix}");
        await Queue($"replyq-{_suffix}").CreateAsync();
        (BlobClient Blob, string Content)[] victims =
        [
            (files.GetBlobClient("files/file-victiminput"), """{"custom_id":"theirs","method":"POST","url":"/v1/embeddings","body":{"input":"x"}}"""),
            (files.GetBlobClient("files/file-victimoutput"), """{"id":"batch_req_1","custom_id":"theirs","response":{"status_code":200}}"""),
            (files.GetBlobClient("batches/batch_victim.json"), """{"id":"batch_victim","status":"completed"}"""),
            (snapshots.GetBlobClient("all-minilm-l6-v2.json"), """{"files":[]}"""),
        ];
        var before = new Dictionary<string, ETag>();
        foreach ((BlobClient blob, string content) in victims)
        {
            before[blob.Name] = (await blob.UploadAsync(BinaryData.FromString(content))).Value.ETag;
        }

        string[] attacks =
        [
            .. victims.Select(v => Message("attack", new { blob = $"{v.Blob.BlobContainerName}/{v.Blob.Name}" })),
            Message("attack", new { blob = $"created-{_suffix}/x.json" }),
            Message("attack", new { queue = $"created-{_suffix}" }),
        ];
        QueueClient requests = Queue($"requests-{_suffix}");
        await requests.CreateAsync();
        foreach (string attack in attacks)
        {
            await requests.SendMessageAsync(attack);
        }

        using IHost host = BuildHost(
            ("Thaw:Requests:ReplyContainers:0", $"replies-{_suffix}"),
            ("Thaw:Requests:ReplyQueues:0", $"replyq-{_suffix}"));
        await host.StartAsync();
        try
        {
            QueueClient poison = Queue($"requests-{_suffix}-poison");
            // Both counts: a message is deleted from the request queue just after its copy reaches the poison queue.
            await Eventually.WaitUntilAsync(() => poison.Exists().Value && poison.GetProperties().Value.ApproximateMessagesCount == attacks.Length
                && requests.GetProperties().Value.ApproximateMessagesCount == 0);
            await host.StopAsync();

            PeekedMessage[] poisoned = (await poison.PeekMessagesAsync(32)).Value;
            Assert.Equal(attacks.Order(), poisoned.Select(m => m.Body.ToString()).Order());
            foreach ((BlobClient blob, string content) in victims)
            {
                BlobDownloadResult now = (await blob.DownloadContentAsync()).Value;
                Assert.Equal(before[blob.Name], now.Details.ETag);
                Assert.Equal(content, now.Content.ToString());
            }

            Assert.False((await new BlobContainerClient(azurite.ConnectionString, $"created-{_suffix}").ExistsAsync()).Value);
            Assert.False((await Queue($"created-{_suffix}").ExistsAsync()).Value);
            string[] refusals = [.. _log.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message)];
            foreach ((BlobClient blob, _) in victims)
            {
                Assert.Contains(refusals, r => r.Contains($"the reply container '{blob.BlobContainerName}' is not one of Thaw:Requests:ReplyContainers", StringComparison.Ordinal));
            }

            Assert.Contains(refusals, r => r.Contains($"the reply container 'created-{_suffix}' is not one of Thaw:Requests:ReplyContainers", StringComparison.Ordinal));
            Assert.Contains(refusals, r => r.Contains($"the reply queue 'created-{_suffix}' is not one of Thaw:Requests:ReplyQueues", StringComparison.Ordinal));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Listener_ConfiguredContainer_CreatesTheReplyOnceAndARedeliveryDoesNotOverwrite()
    {
        BlobContainerClient replies = await ContainerAsync($"replies-{_suffix}");
        // What an earlier delivery of "again" wrote before its message came back.
        const string Earlier = """{"id":"again","status_code":200,"body":{"written":"first"}}""";
        ETag earlier = (await replies.GetBlobClient("answers/again.json").UploadAsync(BinaryData.FromString(Earlier))).Value.ETag;
        QueueClient requests = Queue($"requests-{_suffix}");
        await requests.CreateAsync();
        await requests.SendMessageAsync(Message("new", new { blob = $"replies-{_suffix}/answers/new.json" }));
        await requests.SendMessageAsync(Message("again", new { blob = $"replies-{_suffix}/answers/again.json" }));

        using IHost host = BuildHost(("Thaw:Requests:ReplyContainers:0", $"replies-{_suffix}"));
        await host.StartAsync();
        try
        {
            await Eventually.WaitUntilAsync(() => requests.GetProperties().Value.ApproximateMessagesCount == 0);
            await host.StopAsync();

            using JsonDocument created = JsonDocument.Parse((await replies.GetBlobClient("answers/new.json").DownloadContentAsync()).Value.Content);
            Assert.Equal("new", created.RootElement.GetProperty("id").GetString());
            Assert.Equal(200, created.RootElement.GetProperty("status_code").GetInt32());
            Assert.Equal(384, created.RootElement.GetProperty("body").GetProperty("data")[0].GetProperty("embedding").GetArrayLength());
            BlobDownloadResult again = (await replies.GetBlobClient("answers/again.json").DownloadContentAsync()).Value;
            Assert.Equal((earlier, Earlier), (again.Details.ETag, again.Content.ToString()));
            QueueClient poison = Queue($"requests-{_suffix}-poison");
            Assert.Equal(0, (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Listener_ConfiguredDestinationThatIsMissing_IsRetriedThenPoisonedWithoutCreatingIt()
    {
        QueueClient requests = Queue($"requests-{_suffix}");
        await requests.CreateAsync();
        string toQueue = Message("q", new { queue = $"missingq-{_suffix}" });
        string toBlob = Message("b", new { blob = $"missing-{_suffix}/reply.json" });
        await requests.SendMessageAsync(toQueue);
        await requests.SendMessageAsync(toBlob);

        using IHost host = BuildHost(
            ("Thaw:Requests:ReplyContainers:0", $"missing-{_suffix}"),
            ("Thaw:Requests:ReplyQueues:0", $"missingq-{_suffix}"),
            ("Thaw:Jobs:MaxDequeueCount", "2"),
            ("Thaw:Jobs:RetryDelay", "00:00:00"));
        await host.StartAsync();
        try
        {
            QueueClient poison = Queue($"requests-{_suffix}-poison");
            await Eventually.WaitUntilAsync(() => poison.Exists().Value && poison.GetProperties().Value.ApproximateMessagesCount == 2);
            await host.StopAsync();

            Assert.Equal(new[] { toQueue, toBlob }.Order(), (await poison.PeekMessagesAsync(10)).Value.Select(m => m.Body.ToString()).Order());
            Assert.False((await Queue($"missingq-{_suffix}").ExistsAsync()).Value);
            Assert.False((await new BlobContainerClient(azurite.ConnectionString, $"missing-{_suffix}").ExistsAsync()).Value);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private IHost BuildHost(params (string Key, string Value)[] settings) =>
        RequestListenerHost.Build(azurite, _suffix, settings, services => services.AddSingleton<ILogger<QueuedRequestProcessor>>(_log));

    private async Task<BlobContainerClient> ContainerAsync(string name)
    {
        var container = new BlobContainerClient(azurite.ConnectionString, name);
        await container.CreateIfNotExistsAsync();
        return container;
    }

    private QueueClient Queue(string name) => RequestListenerHost.Queue(azurite, name);

    private static string Message(string id, object replyTo) =>
        JsonSerializer.Serialize(new { id, body = new { input = $"request {id}" }, reply_to = replyTo });
}
