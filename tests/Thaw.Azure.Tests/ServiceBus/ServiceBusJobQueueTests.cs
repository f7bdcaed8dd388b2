using System.Text;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Thaw.Azure.Tests.Jobs;
using Thaw.Inference.Jobs;
using Thaw.Testing;

namespace Thaw.Azure.Tests.ServiceBus;

/// <summary>The Service Bus job transport through the real Azure.Messaging.ServiceBus SDK, against the AMQP fake.</summary>
public sealed class ServiceBusJobQueueTests : IAsyncLifetime
{
    private readonly FakeServiceBus _bus = new();
    private ServiceBusJobs _jobs = null!;

    public async Task InitializeAsync()
    {
        await _bus.InitializeAsync();
        _jobs = new ServiceBusJobs(_bus);
    }

    public async Task DisposeAsync()
    {
        await _jobs.DisposeAsync();
        await _bus.DisposeAsync();
    }

    [Fact]
    public async Task Receive_ThenComplete_TakesTheMessageOffTheQueue()
    {
        await _jobs.Queue.EnqueueAsync(JobMessage.ForBatch("batch_sb"));

        IJobDelivery delivery = await _jobs.ReceiveAsync();
        int lockedCount = _bus.ActiveCount;
        await delivery.CompleteAsync();

        Assert.True(JobMessage.TryParse(delivery.Body.Span, out JobMessage message, out _));
        Assert.Equal("batch_sb", message.BatchId);
        Assert.Equal(1, delivery.DequeueCount);
        Assert.Equal(1, lockedCount);
        Assert.Equal(0, _bus.ActiveCount);
        Assert.Empty(_bus.DeadLetters);
        // Service Bus without Thaw:Storage: the files and records of this test are on one disk, which the log says.
        Assert.Contains(_jobs.Log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("only works with one instance", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Abandon_RedeliversWithTheNextDeliveryCount_AndRenewAndDeadLetterReachTheService()
    {
        await _jobs.Queue.EnqueueAsync(JobMessage.ForBatch("batch_sb"));

        IJobDelivery first = await _jobs.ReceiveAsync();
        await first.AbandonAsync(TimeSpan.Zero);
        IJobDelivery second = await _jobs.ReceiveAsync();
        await second.RenewAsync(_jobs.Options.VisibilityTimeout);
        await second.DeadLetterAsync("given up after two tries");

        Assert.Equal((1, 2), (first.DequeueCount, second.DequeueCount));
        Assert.Equal(1, _bus.Renewals);
        Assert.Equal(0, _bus.ActiveCount);
        (byte[] body, string? reason, string? description) = Assert.Single(_bus.DeadLetters);
        Assert.Contains("batch_sb", Encoding.UTF8.GetString(body), StringComparison.Ordinal);
        Assert.Equal("ThawJobGivenUp", reason);
        Assert.Equal("given up after two tries", description);
    }

    [Fact]
    public async Task Renew_AfterComplete_FailsBecauseTheLockIsGone()
    {
        await _jobs.Queue.EnqueueAsync(JobMessage.ForBatch("batch_sb"));
        IJobDelivery delivery = await _jobs.ReceiveAsync();
        await delivery.CompleteAsync();

        ServiceBusException lost = await Assert.ThrowsAsync<ServiceBusException>(() => delivery.RenewAsync(_jobs.Options.VisibilityTimeout));

        Assert.Equal(ServiceBusFailureReason.MessageLockLost, lost.Reason);
    }

    [Fact]
    public async Task Job_RunningPastHalfTheVisibilityTimeout_RenewsItsLockThroughTheService()
    {
        var time = new FakeTimeProvider();
        string batchId = await _jobs.CreateBatchAsync(3);
        var handler = new EchoHandler(async (call, _) =>
        {
            if (call == 1)
            {
                // The job's renewal timer runs on the fake clock: half the visibility timeout later it renews the lock.
                time.Advance(_jobs.Options.VisibilityTimeout / 2);
                await Eventually.WaitUntilAsync(() => _bus.Renewals == 1);
            }
        });

        await _jobs.Processor(handler, time).ProcessAsync(await _jobs.ReceiveAsync());

        Assert.Equal(BatchStatus.Completed, (await _jobs.Batches.GetAsync(batchId))!.Batch.Status);
        Assert.Equal(1, _bus.Renewals);
        Assert.Equal(0, _bus.ActiveCount);
    }

    [Fact]
    public async Task Job_ThatAlwaysFails_IsDeadLetteredWithTheReasonAndItsBatchFails()
    {
        string batchId = await _jobs.CreateBatchAsync(3);
        BatchJobProcessor processor = _jobs.Processor(new EchoHandler((_, _) => throw new InvalidOperationException("the model exploded")));

        await processor.ProcessAsync(await _jobs.ReceiveAsync());
        await processor.ProcessAsync(await _jobs.ReceiveAsync());

        BatchRecord batch = (await _jobs.Batches.GetAsync(batchId))!.Batch;
        Assert.Equal(BatchStatus.Failed, batch.Status);
        Assert.Contains("the model exploded", Assert.Single(batch.Errors!.Data).Message, StringComparison.Ordinal);
        (_, string? reason, string? description) = Assert.Single(_bus.DeadLetters);
        Assert.Equal("ThawJobGivenUp", reason);
        Assert.Contains("the model exploded", description, StringComparison.Ordinal);
        Assert.Equal(0, _bus.ActiveCount);
    }
}
