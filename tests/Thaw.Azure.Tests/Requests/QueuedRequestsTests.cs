using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Thaw.Inference.Batching;
using Thaw.Inference.Embeddings;
using Thaw.Inference.Models;
using Thaw.Testing;
using Xunit.Abstractions;

namespace Thaw.Azure.Tests.Requests;

/// <summary>
/// Request-queue messages answered by the standalone host's listener on real Azurite queues and blobs, composed as
/// <c>thaw serve</c> composes it with storage configured (real model, the HTTP layer's /v1/embeddings handler).
/// </summary>
public sealed class QueuedRequestsTests(Azurite azurite, ITestOutputHelper output) : IClassFixture<Azurite>
{
    private const int Requests = 64;
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Listener_AnswersEveryMessage_ThroughTheInteractiveBatcher()
    {
        QueueClient requests = Queue($"requests-{_suffix}");
        QueueClient replies = Queue($"replies-{_suffix}");
        await requests.CreateIfNotExistsAsync();
        // Reply destinations are configured and exist before a request names them: Thaw creates neither.
        await replies.CreateIfNotExistsAsync();
        await new BlobContainerClient(azurite.ConnectionString, $"replies-{_suffix}").CreateIfNotExistsAsync();
        string[] texts = Enumerable.Range(0, Requests).Select(i => $"queued request number {i} about thawing models").ToArray();
        // Queued before the host starts, as a burst reaches a cold instance: the listener takes them 32 at a time.
        await Task.WhenAll(texts.Select((text, i) => requests.SendMessageAsync(Message(new { id = $"q{i}", body = new { input = text }, reply_to = new { queue = replies.Name } }))));
        await requests.SendMessageAsync(Message(new { id = "blob", body = new { input = "answered in a blob", model = RealModels.MiniLm }, reply_to = new { blob = $"replies-{_suffix}/answers/blob.json" } }));
        await requests.SendMessageAsync(Message(new { id = "bad", body = new { input = Array.Empty<string>() }, reply_to = new { queue = replies.Name } }));
        await requests.SendMessageAsync("""{"hello":"world"}""");

        using IHost host = BuildHost();
        await host.StartAsync();
        try
        {
            Dictionary<string, JsonElement> answers = await RequestListenerHost.CollectAsync(replies, Requests + 1);
            ModelHost models = host.Services.GetRequiredService<ModelHost>();
            BatchStatistics interactive = ((EmbeddingActivity)models.GetStatus(RealModels.MiniLm).Activity!).Interactive;
            double meanBatch = (double)interactive.Inputs / interactive.Batches;
            output.WriteLine($"{Requests + 1} queued requests: {interactive.Inputs} inputs in {interactive.Batches} interactive batches, mean batch size {meanBatch:F1}");

            EmbeddingResult direct = await models.EmbedAsync(RealModels.MiniLm, texts, EmbeddingInputType.Document, BatchProfileKind.Interactive);
            Assert.Equal(Requests + 1, answers.Count);
            for (int i = 0; i < Requests; i++)
            {
                JsonElement answer = answers[$"q{i}"];
                Assert.Equal(200, answer.GetProperty("status_code").GetInt32());
                float[] vector = answer.GetProperty("body").GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
                Assert.Equal(direct.Vectors[i].Length, vector.Length);
                for (int d = 0; d < vector.Length; d++)
                {
                    Assert.True(Math.Abs(direct.Vectors[i][d] - vector[d]) <= 1e-5, $"q{i}[{d}]: {vector[d]} vs {direct.Vectors[i][d]}");
                }
            }

            JsonElement bad = answers["bad"];
            Assert.Equal(400, bad.GetProperty("status_code").GetInt32());
            Assert.Equal("input", bad.GetProperty("body").GetProperty("error").GetProperty("param").GetString());

            BlobClient blob = new BlobContainerClient(azurite.ConnectionString, $"replies-{_suffix}").GetBlobClient("answers/blob.json");
            using JsonDocument inBlob = JsonDocument.Parse((await blob.DownloadContentAsync()).Value.Content);
            Assert.Equal("blob", inBlob.RootElement.GetProperty("id").GetString());
            Assert.Equal(200, inBlob.RootElement.GetProperty("status_code").GetInt32());
            Assert.Equal(384, inBlob.RootElement.GetProperty("body").GetProperty("data")[0].GetProperty("embedding").GetArrayLength());

            PeekedMessage poisoned = await RequestListenerHost.PeekOneAsync(Queue($"requests-{_suffix}-poison"));
            Assert.Equal("""{"hello":"world"}""", poisoned.Body.ToString());
            // Stopping waits for the listener's last receive to be settled: every message was deleted.
            await host.StopAsync();
            Assert.Equal(0, (await requests.GetPropertiesAsync()).Value.ApproximateMessagesCount);
            Assert.True(meanBatch > 1, $"Mean interactive batch size {meanBatch:F2}: the queued requests did not meet in the batcher.");
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private IHost BuildHost() => RequestListenerHost.Build(azurite, _suffix,
    [
        ("Thaw:Requests:ReplyQueues:0", $"replies-{_suffix}"),
        ("Thaw:Requests:ReplyContainers:0", $"replies-{_suffix}"),
    ]);

    private QueueClient Queue(string name) => RequestListenerHost.Queue(azurite, name);

    private static string Message(object value) => JsonSerializer.Serialize(value);
}
