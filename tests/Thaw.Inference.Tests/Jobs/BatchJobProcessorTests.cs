using Thaw.Inference.Jobs;
using Thaw.Testing;

namespace Thaw.Inference.Tests.Jobs;

public sealed class BatchJobProcessorTests : IDisposable
{
    private readonly JobFixture _jobs = new(chunkLines: 10, maxDequeueCount: 3);

    public void Dispose() => _jobs.Dispose();

    [Fact]
    public async Task Process_AlwaysFailingJob_IsRetriedThenDeadLetteredAndItsBatchFailsWithTheReason()
    {
        string batchId = await _jobs.CreateBatchAsync(JobFixture.Lines(5));
        BatchJobProcessor processor = _jobs.Processor(new EchoHandler((_, _) => throw new InvalidOperationException("the model exploded")));

        for (int attempt = 1; attempt <= 3; attempt++)
        {
            IJobDelivery delivery = await ReceiveAsync();
            Assert.Equal(attempt, delivery.DequeueCount);
            await processor.ProcessAsync(delivery);
            _jobs.Time.Advance(_jobs.Options.RetryDelay);
        }

        (JobMessage message, string reason) = Assert.Single(_jobs.Queue.DeadLetters);
        Assert.Equal(batchId, message.BatchId);
        Assert.Contains("the model exploded", reason);
        Assert.Equal(0, _jobs.Queue.Ready);
        BatchRecord batch = await _jobs.GetAsync(batchId);
        Assert.Equal(BatchStatus.Failed, batch.Status);
        Assert.NotNull(batch.FailedAt);
        Assert.Equal(reason, Assert.Single(batch.Errors!.Data).Message);
    }

    [Fact]
    public async Task Process_WorkerThatDiesEachTime_IsDeadLetteredOnceTheDeliveriesPassTheLimit()
    {
        string batchId = await _jobs.CreateBatchAsync(JobFixture.Lines(5));

        for (int attempt = 1; attempt <= 3; attempt++)
        {
            // Received and never settled (the process died): the lease lapses and the message comes back.
            Assert.Equal(attempt, (await ReceiveAsync()).DequeueCount);
            _jobs.Time.Advance(_jobs.Options.VisibilityTimeout);
        }

        IJobDelivery fourth = await ReceiveAsync();
        await _jobs.Processor(new EchoHandler()).ProcessAsync(fourth);

        Assert.Contains("delivered 4 times", Assert.Single(_jobs.Queue.DeadLetters).Reason);
        Assert.Equal(BatchStatus.Failed, (await _jobs.GetAsync(batchId)).Status);
    }

    [Fact]
    public async Task Process_MessageThatIsNotAJob_IsDeadLetteredWithoutRunning()
    {
        await _jobs.Queue.EnqueueAsync(new JobMessage("request", "x"));
        var handler = new EchoHandler();

        await _jobs.Processor(handler).ProcessAsync(await ReceiveAsync());

        Assert.Contains("not a Thaw job", Assert.Single(_jobs.Queue.DeadLetters).Reason);
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public async Task Process_LongJob_RenewsItsLeaseSoTheMessageIsNotRedelivered()
    {
        string batchId = await _jobs.CreateBatchAsync(JobFixture.Lines(3));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var delivery = new CountingDelivery(await ReceiveAsync());
        Task processing = _jobs.Processor(new EchoHandler((_, _) => release.Task)).ProcessAsync(delivery);

        for (int tick = 1; tick <= 4; tick++)
        {
            _jobs.Time.Advance(_jobs.Options.VisibilityTimeout / 2);
            await Eventually.WaitUntilAsync(() => delivery.Renewals == tick);
        }

        Assert.Equal(0, _jobs.Queue.Ready);
        release.SetResult();
        await processing;
        Assert.Equal(BatchStatus.Completed, (await _jobs.GetAsync(batchId)).Status);
        Assert.Equal(0, _jobs.Queue.Ready);
    }

    private async Task<IJobDelivery> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _jobs.Queue.ReceiveAsync(_jobs.Options.VisibilityTimeout, timeout.Token);
    }
}
