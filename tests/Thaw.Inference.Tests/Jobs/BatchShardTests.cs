using System.Text.Json;
using Thaw.Inference.Jobs;
using Thaw.Testing;

namespace Thaw.Inference.Tests.Jobs;

/// <summary>Batches split into shards (10 lines each, chunks of 4) on the local stores and the in-process queue.</summary>
public sealed class BatchShardTests : IDisposable
{
    private readonly JobFixture _jobs = new(chunkLines: 4, shardLines: 10);

    [Fact]
    public async Task Listeners_ShardedBatchOnTwoInParallel_WriteByteIdenticalFilesToAnUnshardedRun()
    {
        string content = JobFixture.Lines(45);
        string batchId = JobIds.NewBatchId(_jobs.Time);
        TaskCompletionSource[] running = [new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously)];

        // Each listener holds its first line until the other runs one too: both run shards at the same time.
        EchoHandler Handler(int me) => new(async (call, token) =>
        {
            if (call == 1)
            {
                running[me].TrySetResult();
                await running[1 - me].Task.WaitAsync(TimeSpan.FromSeconds(30), token);
            }
        });
        EchoHandler[] handlers = [Handler(0), Handler(1)];
        JobListenerService[] listeners = [.. handlers.Select(h => new JobListenerService(_jobs.Queue, _jobs.Batches, _jobs.Processor(h),
            Microsoft.Extensions.Options.Options.Create(_jobs.Options), _jobs.Time, Microsoft.Extensions.Logging.Abstractions.NullLogger<JobListenerService>.Instance))];
        foreach (JobListenerService listener in listeners)
        {
            await listener.StartAsync(CancellationToken.None);
        }

        // A listener starting on the in-process queue queues unfinished batches again, so the split may run twice and
        // a shard twice at once: duplicates are harmless (chunks are keyed by first line), and the files must show it.

        await _jobs.CreateBatchAsync(content, batchId);
        await Eventually.WaitUntilAsync(async () => (await _jobs.GetAsync(batchId)).IsTerminal);
        foreach (JobListenerService listener in listeners)
        {
            await listener.StopAsync(CancellationToken.None);
            listener.Dispose();
        }

        using var unsharded = new JobFixture(chunkLines: 4, shardLines: 1000);
        await unsharded.CreateBatchAsync(content, batchId);
        BatchRecord expected = await unsharded.Runner(new EchoHandler()).RunAsync(batchId);
        BatchRecord batch = await _jobs.GetAsync(batchId);
        Assert.Equal(BatchStatus.Completed, batch.Status);
        Assert.Equal(5, batch.Shards!.Count);
        Assert.Null(expected.Shards);
        Assert.Equal(expected.RequestCounts, batch.RequestCounts);
        Assert.All(handlers, h => Assert.True(h.Calls > 0, "each listener ran a shard"));
        await AssertEachLineOnceInOrderAsync(batch, 45);
        Assert.Equal(await ReadBytesAsync(unsharded, expected.OutputFileId), await ReadBytesAsync(_jobs, batch.OutputFileId));
        Assert.Equal(await ReadBytesAsync(unsharded, expected.ErrorFileId), await ReadBytesAsync(_jobs, batch.ErrorFileId));
    }

    [Fact]
    public async Task Run_ShardStoppedMidWayThenRedelivered_WritesEachLineOnce()
    {
        string batchId = await _jobs.CreateBatchAsync(JobFixture.Lines(30));
        BatchRecord split = await _jobs.Runner(new EchoHandler()).RunAsync(batchId);
        using var stop = new CancellationTokenSource();
        // Pieces of two lines in a window of four: by the eighth call the first chunk (four lines) is written.
        var first = new EchoHandler(async (call, _) =>
        {
            if (call == 8)
            {
                await stop.CancelAsync();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _jobs.Runner(first).RunAsync(JobMessage.ForShard(batchId, 1), stop.Token));
        var again = new EchoHandler();
        await _jobs.Runner(again).RunAsync(JobMessage.ForShard(batchId, 1));
        var others = new EchoHandler();
        await _jobs.Runner(others).RunAsync(JobMessage.ForShard(batchId, 0));
        BatchRecord batch = await _jobs.Runner(others).RunAsync(JobMessage.ForShard(batchId, 2));

        Assert.Equal((BatchStatus.InProgress, 3), (split.Status, split.Shards!.Count));
        Assert.Equal(10 - 4, again.Calls);
        Assert.Equal(20, others.Calls);
        Assert.Equal(BatchStatus.Completed, batch.Status);
        await AssertEachLineOnceInOrderAsync(batch, 30);
    }

    [Fact]
    public async Task Process_SplitThatDiesAfterSomeEnqueues_IsRedeliveredAndRunsEveryLineOnce()
    {
        string batchId = await _jobs.CreateBatchAsync(JobFixture.Lines(45));
        var failing = new FailingQueue(_jobs.Queue, failAt: 3);
        var handler = new EchoHandler();
        BatchJobProcessor processor = _jobs.Processor(handler, failing);

        await processor.ProcessAsync(await ReceiveAsync());
        Assert.Equal(2, _jobs.Queue.Ready);
        _jobs.Time.Advance(_jobs.Options.RetryDelay);
        while (_jobs.Queue.Ready > 0)
        {
            await processor.ProcessAsync(await ReceiveAsync());
        }

        BatchRecord batch = await _jobs.GetAsync(batchId);
        Assert.Equal(BatchStatus.Completed, batch.Status);
        Assert.Equal(5, batch.Shards!.Count);
        Assert.Equal(2 + 1 + 5, failing.Enqueues);
        Assert.Equal(45, handler.Calls);
        Assert.Empty(_jobs.Queue.DeadLetters);
        await AssertEachLineOnceInOrderAsync(batch, 45);
    }

    [Fact]
    public async Task Run_TwoShardsFinishingTogether_AssembleExactlyOnce()
    {
        string batchId = await _jobs.CreateBatchAsync(JobFixture.Lines(20));
        await _jobs.Runner(new EchoHandler()).RunAsync(batchId);
        var gate = new GatedOutput(_jobs.Output, 10, 20);

        await Task.WhenAll(
            Task.Run(() => _jobs.Runner(new EchoHandler(), output: gate).RunAsync(JobMessage.ForShard(batchId, 0))),
            Task.Run(() => _jobs.Runner(new EchoHandler(), output: gate).RunAsync(JobMessage.ForShard(batchId, 1))));

        BatchRecord batch = await _jobs.GetAsync(batchId);
        Assert.Equal(1, gate.Commits);
        Assert.Equal(BatchStatus.Completed, batch.Status);
        Assert.Contains(batch.Shards!.Assembler, new int?[] { 0, 1 });
        await AssertEachLineOnceInOrderAsync(batch, 20);
    }

    [Fact]
    public async Task Process_CancelWhileShardsRunAndWait_EndsTheBatchStopsTheRunningShardAndSkipsTheQueuedOne()
    {
        string batchId = await _jobs.CreateBatchAsync(JobFixture.Lines(30));
        await _jobs.Processor(new EchoHandler()).ProcessAsync(await ReceiveAsync());
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelling = new EchoHandler(async (call, token) =>
        {
            if (call == 2)
            {
                await _jobs.Batches.UpdateAsync(batchId, b => b with { Status = BatchStatus.Cancelling, CancellingAt = 1 }, token);
            }
        });

        // Shard 1 is mid-chunk while shard 0 sees the cancel and ends the batch.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = new EchoHandler(async (call, token) =>
        {
            if (call == 1)
            {
                started.SetResult();
                await ended.Task.WaitAsync(TimeSpan.FromSeconds(30), token);
            }
        });
        IJobDelivery shard0 = await ReceiveAsync();
        Task shard1 = _jobs.Processor(running).ProcessAsync(await ReceiveAsync());
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await _jobs.Processor(cancelling).ProcessAsync(shard0);
        BatchRecord cancelled = await _jobs.GetAsync(batchId);
        ended.SetResult();
        await shard1;
        var queued = new EchoHandler();
        await _jobs.Processor(queued).ProcessAsync(await ReceiveAsync());

        Assert.Equal(BatchStatus.Cancelled, cancelled.Status);
        Assert.Equal(cancelled, await _jobs.GetAsync(batchId));
        // Lines of the next piece may have run past the chunk in which the cancel was seen; none of them is written.
        Assert.InRange(cancelling.Calls, 4, 4 + _jobs.Options.MaxLinesInFlight);
        Assert.InRange(running.Calls, 1, 4 + _jobs.Options.MaxLinesInFlight);
        Assert.Equal(0, queued.Calls);
        Assert.Equal(4, (await _jobs.ReadLinesAsync(cancelled.OutputFileId)).Length + (await _jobs.ReadLinesAsync(cancelled.ErrorFileId)).Length);
        Assert.Equal(0, _jobs.Queue.Ready);
        Assert.Empty(_jobs.Queue.DeadLetters);
    }

    [Fact]
    public async Task Run_ShardsDoneOnOtherInstances_CountInTheBatchWhileItRuns()
    {
        string batchId = await _jobs.CreateBatchAsync(JobFixture.Lines(30));
        await _jobs.Runner(new EchoHandler()).RunAsync(batchId);

        await _jobs.Runner(new EchoHandler()).RunAsync(JobMessage.ForShard(batchId, 2));
        BatchRecord batch = await _jobs.Runner(new EchoHandler()).RunAsync(JobMessage.ForShard(batchId, 0));

        // Lines 3 and 24 are bad (i % 7 == 3); shard 1 (lines 10 to 19) has not run.
        Assert.Equal(BatchStatus.InProgress, batch.Status);
        Assert.Equal(new BatchRequestCounts(30, 18, 2), batch.RequestCounts);
        Assert.Equal(batch, await _jobs.GetAsync(batchId));
    }

    [Fact]
    public async Task Process_ShardThatFailsOnEveryDelivery_IsDeadLetteredAndFailsTheBatchWithTheReason()
    {
        string batchId = await _jobs.CreateBatchAsync(JobFixture.Lines(20));
        await _jobs.Processor(new EchoHandler()).ProcessAsync(await ReceiveAsync());
        BatchJobProcessor healthy = _jobs.Processor(new EchoHandler());
        await healthy.ProcessAsync(await ReceiveAsync());
        BatchJobProcessor poisoned = _jobs.Processor(new EchoHandler((_, _) => throw new InvalidOperationException("shard 1 exploded")));

        for (int attempt = 1; attempt <= _jobs.Options.MaxDequeueCount; attempt++)
        {
            IJobDelivery shard1 = await ReceiveAsync();
            Assert.True(JobMessage.TryParse(shard1.Body.Span, out JobMessage message, out _));
            Assert.Equal(1, message.Shard);
            await poisoned.ProcessAsync(shard1);
            _jobs.Time.Advance(_jobs.Options.RetryDelay);
        }

        BatchRecord batch = await _jobs.GetAsync(batchId);
        Assert.Equal(BatchStatus.Failed, batch.Status);
        Assert.Contains("shard 1 exploded", Assert.Single(batch.Errors!.Data).Message);
        (JobMessage dead, _) = Assert.Single(_jobs.Queue.DeadLetters);
        Assert.Equal(JobMessage.ForShard(batchId, 1), dead);
        Assert.Equal(0, _jobs.Queue.Ready);
    }

    [Fact]
    public async Task Process_BatchOfOneShard_RunsAsOneMessage()
    {
        string batchId = await _jobs.CreateBatchAsync(JobFixture.Lines(10));

        await _jobs.Processor(new EchoHandler()).ProcessAsync(await ReceiveAsync());

        BatchRecord batch = await _jobs.GetAsync(batchId);
        Assert.Equal(BatchStatus.Completed, batch.Status);
        Assert.Null(batch.Shards);
        Assert.Equal(0, _jobs.Queue.Ready);
        await AssertEachLineOnceInOrderAsync(batch, 10);
    }

    [Fact]
    public async Task Output_RunsThatChunkedTheSameLinesDifferently_LeaveOneConsistentChain()
    {
        string batchId = JobIds.NewBatchId(_jobs.Time);

        // Run a chunked lines 0 to 7 by four; run b, started at the same time, by three, and overwrote line 0 last.
        await WriteAsync(batchId, "a", 0, 4);
        await WriteAsync(batchId, "a", 4, 4);
        await WriteAsync(batchId, "b", 0, 3);
        await WriteAsync(batchId, "b", 3, 3);
        await WriteAsync(batchId, "c", 6, 2);
        IReadOnlyList<BatchProgress> progress = await _jobs.Output.ReadProgressAsync(batchId, [LineRange.All, new LineRange(4, 8), new LineRange(0, 5)]);
        CommittedOutput committed = await _jobs.Output.CommitAsync(batchId, OwnerNames.Default, [progress[0]]);

        Assert.Equal([new BatchProgress(0, 8, 3, 8, 0), new BatchProgress(4, 8, 1, 4, 0), new BatchProgress(0, 3, 1, 3, 0)], progress);
        Assert.Equal(["b0", "b1", "b2", "b3", "b4", "b5", "c6", "c7"], (await _jobs.ReadLinesAsync(committed.Output.Id)).Select(l => l.GetProperty("l").GetString()));
    }

    private Task WriteAsync(string batchId, string run, int firstLine, int lines) =>
        _jobs.Output.WriteChunkAsync(batchId, new BatchChunk(firstLine, lines, lines, 0),
            System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(firstLine, lines).Select(i => $"{{\"l\":\"{run}{i}\"}}\n"))), ReadOnlyMemory<byte>.Empty);

    private async Task AssertEachLineOnceInOrderAsync(BatchRecord batch, int total)
    {
        JsonElement[] output = await _jobs.ReadLinesAsync(batch.OutputFileId);
        JsonElement[] errors = await _jobs.ReadLinesAsync(batch.ErrorFileId);
        Assert.Equal(Enumerable.Range(0, total).Where(i => i % 7 != 3).Select(i => $"r{i}"), output.Select(CustomId));
        Assert.Equal(Enumerable.Range(0, total).Where(i => i % 7 == 3).Select(i => $"r{i}"), errors.Select(CustomId));
        Assert.Equal(new BatchRequestCounts(total, output.Length, errors.Length), batch.RequestCounts);
    }

    private static async Task<byte[]> ReadBytesAsync(JobFixture jobs, string? fileId)
    {
        await using Stream content = (await jobs.Files.OpenReadAsync(fileId!))!;
        using var bytes = new MemoryStream();
        await content.CopyToAsync(bytes);
        return bytes.ToArray();
    }

    private async Task<IJobDelivery> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _jobs.Queue.ReceiveAsync(_jobs.Options.VisibilityTimeout, timeout.Token);
    }

    private static string? CustomId(JsonElement line) => line.GetProperty("custom_id").GetString();

    public void Dispose() => _jobs.Dispose();
}
