using Thaw.Inference.Jobs;
using Thaw.Testing;

namespace Thaw.Azure.Tests.Jobs;

/// <summary>A batch split into shards on a real Azurite: blob output, Storage queue, workers running at once.</summary>
public sealed class AzureBatchShardTests(Azurite azurite) : IClassFixture<Azurite>
{
    [Fact]
    public async Task Workers_ShardedBatchOnTwoAtOnce_WriteByteIdenticalFilesToAnUnshardedRun()
    {
        var sharded = new AzureJobs(azurite, chunkLines: 3, shardLines: 5);
        string content = AzureJobs.Lines(17);
        string batchId = await sharded.CreateBatchAsync(content);
        EchoHandler[] handlers = [new(), new()];
        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        await Task.WhenAll(handlers.Select(h => Task.Run(() => WorkAsync(sharded, h, batchId, done))));

        var unsharded = new AzureJobs(azurite, chunkLines: 3);
        await unsharded.CreateBatchAsync(content, batchId);
        await unsharded.Processor(new EchoHandler()).ProcessAsync(await unsharded.ReceiveAsync());
        BatchRecord expected = (await unsharded.Batches.GetAsync(batchId))!.Batch;
        BatchRecord batch = (await sharded.Batches.GetAsync(batchId))!.Batch;
        Assert.Equal(BatchStatus.Completed, batch.Status);
        Assert.Equal(4, batch.Shards!.Count);
        Assert.Null(expected.Shards);
        Assert.Equal(new BatchRequestCounts(17, 16, 1), batch.RequestCounts);
        Assert.Equal(expected.RequestCounts, batch.RequestCounts);
        Assert.Equal(17, handlers.Sum(h => h.Calls));
        Assert.Equal(await ReadBytesAsync(unsharded, expected.OutputFileId), await ReadBytesAsync(sharded, batch.OutputFileId));
        Assert.Equal(await ReadBytesAsync(unsharded, expected.ErrorFileId), await ReadBytesAsync(sharded, batch.ErrorFileId));
        (var jobs, var poison) = await sharded.Clients.GetAsync();
        Assert.Empty((await jobs.PeekMessagesAsync(10)).Value);
        Assert.Empty((await poison.PeekMessagesAsync(10)).Value);
    }

    /// <summary>One worker: takes messages until the batch ends, then stops the other worker's wait too.</summary>
    private static async Task WorkAsync(AzureJobs jobs, EchoHandler handler, string batchId, CancellationTokenSource done)
    {
        BatchJobProcessor processor = jobs.Processor(handler);
        while (!done.IsCancellationRequested)
        {
            IJobDelivery delivery;
            try
            {
                delivery = await jobs.Queue.ReceiveAsync(jobs.Options.VisibilityTimeout, done.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await processor.ProcessAsync(delivery);
            if ((await jobs.Batches.GetAsync(batchId))!.Batch.IsTerminal)
            {
                await done.CancelAsync();
            }
        }
    }

    private static async Task<byte[]> ReadBytesAsync(AzureJobs jobs, string? fileId)
    {
        await using Stream content = (await jobs.Files.OpenReadAsync(fileId!))!;
        using var bytes = new MemoryStream();
        await content.CopyToAsync(bytes);
        return bytes.ToArray();
    }
}
