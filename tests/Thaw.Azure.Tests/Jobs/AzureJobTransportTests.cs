using System.Text;
using System.Text.Json;
using Azure.Storage.Queues.Models;
using Thaw.Inference.Jobs;
using Thaw.Testing;

namespace Thaw.Azure.Tests.Jobs;

/// <summary>The Blob files/records/output and the Storage queue transport on a real Azurite.</summary>
public sealed class AzureJobTransportTests(Azurite azurite) : IClassFixture<Azurite>
{
    private readonly AzureJobs _jobs = new(azurite);

    [Fact]
    public async Task Files_PutGetListAndRefuseOversizeWithoutKeepingAnything()
    {
        FileRecord stored = await _jobs.Files.PutAsync(new FileUpload("café.jsonl", FilePurposes.Batch, 100), new MemoryStream("{\"a\":1}\n"u8.ToArray()));

        await Assert.ThrowsAsync<FileTooLargeException>(() =>
            _jobs.Files.PutAsync(new FileUpload("big.jsonl", FilePurposes.Batch, 100, "file-big"), new MemoryStream(new byte[5000])));

        Assert.Equal(stored, await _jobs.Files.GetAsync(stored.Id));
        Assert.Equal("café.jsonl", stored.Filename);
        Assert.Equal(8, stored.Bytes);
        Assert.Null(await _jobs.Files.GetAsync("file-big"));
        Assert.Null(await _jobs.Files.GetAsync("../escape"));
        Assert.Equal([stored.Id], (await _jobs.Files.ListAsync(new FileQuery(10))).Files.Select(f => f.Id));
        Assert.True(await _jobs.Files.DeleteAsync(stored.Id));
        Assert.Null(await _jobs.Files.OpenReadAsync(stored.Id));
    }

    [Theory]
    [MemberData(nameof(FileStorePaging.Contracts), MemberType = typeof(FileStorePaging))]
    public async Task Files_KeepTheStoreContractOnTheIndexBlobs(string contract)
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));

        await FileStorePaging.AssertAsync(contract, new Thaw.Azure.Jobs.BlobFileStore(_jobs.Container, clock), clock);
    }

    [Fact]
    public async Task Files_MetadataOverTheServiceLimit_AzuriteTakesIt_TheStoreRefusesBeforeWriting()
    {
        // Blob Storage answers 400 for more than 8 KiB of metadata; Azurite does not check, so the store must.
        global::Azure.Storage.Blobs.BlobContainerClient container = await _jobs.Container.GetAsync();
        await container.GetBlobClient("probe/metadata").UploadAsync(BinaryData.Empty, new global::Azure.Storage.Blobs.Models.BlobUploadOptions
        {
            Metadata = new Dictionary<string, string> { ["filename"] = new string('x', 9 * 1024) },
        });
        string longName = new string('é', 3000) + ".jsonl";
        string longestKept = new string('é', 124) + ".jsonl";

        ArgumentException refused = await Assert.ThrowsAsync<ArgumentException>(() =>
            _jobs.Files.PutAsync(new FileUpload(longName, FilePurposes.Batch, 100, "file-longname"), new MemoryStream("{}\n"u8.ToArray())));
        FileRecord kept = await _jobs.Files.PutAsync(new FileUpload(longestKept, FilePurposes.Batch, 100), new MemoryStream("{}\n"u8.ToArray()));

        Assert.Contains("8192", refused.Message, StringComparison.Ordinal);
        Assert.Null(await _jobs.Files.GetAsync("file-longname"));
        Assert.Equal(254, Encoding.UTF8.GetByteCount(longestKept));
        Assert.Equal(longestKept, (await _jobs.Files.GetAsync(kept.Id))!.Filename);
        Assert.Equal(longestKept, (await _jobs.Files.ListAsync(new FileQuery(1))).Files.Single().Filename);
    }

    [Fact]
    public async Task Batches_UpdateIsConditionalOnTheETagAndListIsNewestFirst()
    {
        string first = await _jobs.CreateBatchAsync(AzureJobs.Lines(1));
        string second = await _jobs.CreateBatchAsync(AzureJobs.Lines(1));
        VersionedBatch read = (await _jobs.Batches.GetAsync(first))!;

        string? updated = await _jobs.Batches.TryUpdateAsync(read.Batch with { Status = BatchStatus.Cancelling }, read.ETag);
        string? stale = await _jobs.Batches.TryUpdateAsync(read.Batch with { Status = BatchStatus.InProgress }, read.ETag);
        BatchPage page = await _jobs.Batches.ListAsync(1, null, owner: null);
        BatchPage next = await _jobs.Batches.ListAsync(1, second, owner: null);

        Assert.NotNull(updated);
        Assert.Null(stale);
        Assert.Equal(BatchStatus.Cancelling, (await _jobs.Batches.GetAsync(first))!.Batch.Status);
        Assert.Equal([second], page.Batches.Select(b => b.Id));
        Assert.True(page.HasMore);
        Assert.Equal([first], next.Batches.Select(b => b.Id));
        Assert.False(next.HasMore);
    }

    [Fact]
    public async Task Batches_ListWithForeignBlobsUnderBatches_SkipsThemAndListsTheRecords()
    {
        string real = await _jobs.CreateBatchAsync(AzureJobs.Lines(1));
        var container = await _jobs.Container.GetAsync();
        await container.GetBlobClient("batches/batch_foreign.json").UploadAsync(BinaryData.FromString("{\"id\": 42, \"not\": \"a batch\""));
        await container.GetBlobClient("batches/batch_null.json").UploadAsync(BinaryData.FromString("null"));
        await container.GetBlobClient("batches/x").UploadAsync(BinaryData.FromString("{}"));
        await container.GetBlobClient("batches/sub/batch_nested.json").UploadAsync(BinaryData.FromString("{}"));

        BatchPage page = await _jobs.Batches.ListAsync(100, null, owner: null);

        Assert.Equal([real], page.Batches.Select(b => b.Id));
    }

    [Fact]
    public async Task Output_ChunkWrittenTwiceIsOneBlockAndCommitJoinsChunksInOrder()
    {
        string batchId = JobIds.NewBatchId(TimeProvider.System);
        await _jobs.Output.WriteChunkAsync(batchId, new BatchChunk(0, 2, 1, 1), "a\n"u8.ToArray(), "x\n"u8.ToArray());
        await _jobs.Output.WriteChunkAsync(batchId, new BatchChunk(2, 1, 1, 0), "b\n"u8.ToArray(), ReadOnlyMemory<byte>.Empty);
        await _jobs.Output.WriteChunkAsync(batchId, new BatchChunk(2, 1, 1, 0), "b\n"u8.ToArray(), ReadOnlyMemory<byte>.Empty);
        await _jobs.Output.WriteChunkAsync(batchId, new BatchChunk(4, 1, 1, 0), "d\n"u8.ToArray(), ReadOnlyMemory<byte>.Empty);

        IReadOnlyList<BatchProgress> progress = await _jobs.Output.ReadProgressAsync(batchId, [LineRange.All]);
        CommittedOutput committed = await _jobs.Output.CommitAsync(batchId, OwnerNames.Default, progress);
        CommittedOutput again = await _jobs.Output.CommitAsync(batchId, OwnerNames.Default, progress);

        Assert.Equal([new BatchProgress(0, 3, 2, 2, 1)], progress);
        Assert.Equal(["a", "b"], await _jobs.ReadLinesAsync(committed.Output.Id));
        Assert.Equal(["x"], await _jobs.ReadLinesAsync(committed.Errors!.Id));
        Assert.Equal(FilePurposes.BatchOutput, committed.Output.Purpose);
        Assert.Equal(["a", "b"], await _jobs.ReadLinesAsync(again.Output.Id));
    }

    [Fact]
    public async Task Queue_CountsDeliveriesRedeliversAbandonedAndLapsedMessagesAndMovesPoisonAside()
    {
        await _jobs.Queue.EnqueueAsync(JobMessage.ForBatch("batch_q"));

        IJobDelivery first = await _jobs.ReceiveAsync();
        await first.RenewAsync(TimeSpan.FromSeconds(30));
        await first.AbandonAsync(TimeSpan.Zero);
        IJobDelivery second = await _jobs.ReceiveAsync(TimeSpan.FromSeconds(1));
        IJobDelivery third = await _jobs.ReceiveAsync();
        await third.DeadLetterAsync("given up");

        Assert.Equal((1, 2, 3), (first.DequeueCount, second.DequeueCount, third.DequeueCount));
        Assert.True(JobMessage.TryParse(third.Body.Span, out JobMessage message, out _));
        Assert.Equal("batch_q", message.BatchId);
        (var jobs, var poison) = await _jobs.Clients.GetAsync();
        PeekedMessage[] poisoned = (await poison.PeekMessagesAsync(10)).Value;
        Assert.Equal("batch_q", JsonDocument.Parse(Assert.Single(poisoned).Body).RootElement.GetProperty("batch_id").GetString());
        Assert.Empty((await jobs.PeekMessagesAsync(10)).Value);
    }

    [Fact]
    public async Task Job_StoppedAfterAChunkThenRedelivered_ResumesWithOneLinePerInput()
    {
        string batchId = await _jobs.CreateBatchAsync(AzureJobs.Lines(10));
        using var stop = new CancellationTokenSource();
        // Pieces of two lines in a window of four: by the eighth call the first chunk (four lines) is written.
        var first = new EchoHandler(async (call, _) =>
        {
            if (call == 8)
            {
                await stop.CancelAsync();
            }
        });

        // The first worker stops mid-job (its instance shuts down) and hands the message back.
        await _jobs.Processor(first).ProcessAsync(await _jobs.ReceiveAsync(), stop.Token);
        var second = new EchoHandler();
        await _jobs.Processor(second).ProcessAsync(await _jobs.ReceiveAsync());

        BatchRecord batch = (await _jobs.Batches.GetAsync(batchId))!.Batch;
        Assert.Equal(BatchStatus.Completed, batch.Status);
        Assert.Equal(new BatchRequestCounts(10, 9, 1), batch.RequestCounts);
        Assert.Equal(10 - 4, second.Calls);
        string[] lines = [.. await _jobs.ReadLinesAsync(batch.OutputFileId), .. await _jobs.ReadLinesAsync(batch.ErrorFileId)];
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"r{i}").Order(), lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("custom_id").GetString()).Order());
    }

    [Fact]
    public async Task Job_ThatAlwaysFails_GoesToThePoisonQueueAndItsBatchFailsWithTheReason()
    {
        string batchId = await _jobs.CreateBatchAsync(AzureJobs.Lines(3));
        BatchJobProcessor processor = _jobs.Processor(new EchoHandler((_, _) => throw new InvalidOperationException("the model exploded")));

        await processor.ProcessAsync(await _jobs.ReceiveAsync());
        await processor.ProcessAsync(await _jobs.ReceiveAsync());

        BatchRecord batch = (await _jobs.Batches.GetAsync(batchId))!.Batch;
        Assert.Equal(BatchStatus.Failed, batch.Status);
        Assert.Contains("the model exploded", Assert.Single(batch.Errors!.Data).Message);
        (_, var poison) = await _jobs.Clients.GetAsync();
        Assert.Single((await poison.PeekMessagesAsync(10)).Value);
    }

    [Fact]
    public async Task Job_CancelledWhileAModelBatchRuns_StopsWithinThatBatchNotAtTheChunk()
    {
        // One chunk for the whole batch, so only the watch (on the real clock here) can see the cancel in the blob record.
        var jobs = new AzureJobs(azurite, chunkLines: 1000);
        const int ModelBatch = 64;
        jobs.Options.MaxLinesInFlight = 2 * ModelBatch;
        jobs.Options.StopPollInterval = TimeSpan.FromMilliseconds(50);
        string batchId = await jobs.CreateBatchAsync(AzureJobs.Lines(400));
        var handler = new EchoHandler(async (call, token) =>
        {
            if (call == ModelBatch + 1)
            {
                await jobs.Batches.UpdateAsync(batchId, b => b with { Status = BatchStatus.Cancelling, CancellingAt = 1 }, token);
            }

            if (call > ModelBatch)
            {
                // Waits for the model until the watch drops it.
                await Task.Delay(Timeout.InfiniteTimeSpan, token).WaitAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
            }
        });

        await jobs.Processor(handler).ProcessAsync(await jobs.ReceiveAsync());

        BatchRecord batch = (await jobs.Batches.GetAsync(batchId))!.Batch;
        Assert.Equal(BatchStatus.Cancelled, batch.Status);
        Assert.Equal(new BatchRequestCounts(400, ModelBatch - 1, 1), batch.RequestCounts);
        string[] lines = [.. await jobs.ReadLinesAsync(batch.OutputFileId), .. await jobs.ReadLinesAsync(batch.ErrorFileId)];
        Assert.Equal(Enumerable.Range(0, ModelBatch).Select(i => $"r{i}").Order(), lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("custom_id").GetString()).Order());
        Assert.InRange(handler.Calls, ModelBatch, 3 * ModelBatch);
    }

    [Fact]
    public async Task Job_CancelledBetweenChunks_StopsWithinOneChunk()
    {
        string batchId = await _jobs.CreateBatchAsync(AzureJobs.Lines(12));
        var handler = new EchoHandler(async (call, token) =>
        {
            if (call == 2)
            {
                await _jobs.Batches.UpdateAsync(batchId, b => b with { Status = BatchStatus.Cancelling }, token);
            }
        });

        await _jobs.Processor(handler).ProcessAsync(await _jobs.ReceiveAsync());

        BatchRecord batch = (await _jobs.Batches.GetAsync(batchId))!.Batch;
        Assert.Equal(BatchStatus.Cancelled, batch.Status);
        Assert.InRange(handler.Calls, 4, 4 + _jobs.Options.MaxLinesInFlight);
        Assert.Equal(4, (await _jobs.ReadLinesAsync(batch.OutputFileId)).Length + (await _jobs.ReadLinesAsync(batch.ErrorFileId)).Length);
    }
}
