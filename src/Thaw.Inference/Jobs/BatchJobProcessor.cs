using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Thaw.Inference.Jobs;

/// <summary>
/// Handles one delivered job message — a whole batch or one shard of it — for any transport (the standalone
/// listener, a queue trigger): keeps the message invisible while the batch runs (renewing its lease on the injected clock), completes it when the batch
/// ends, abandons it after a failure so that it is retried, and dead-letters it — marking the batch failed with the
/// reason — when it is not a job, when the batch cannot succeed, or after <see cref="JobsOptions.MaxDequeueCount"/>
/// deliveries (of that shard: a shard that exhausts its retries fails the whole batch).
/// </summary>
public sealed partial class BatchJobProcessor(BatchJobRunner runner, IOptions<JobsOptions> options, TimeProvider time, ILogger<BatchJobProcessor> logger)
{
    private readonly JobsOptions _options = options.Value;

    public async Task ProcessAsync(IJobDelivery delivery, CancellationToken cancellationToken = default)
    {
        if (!JobMessage.TryParse(delivery.Body.Span, out JobMessage message, out string problem))
        {
            LogNotAJob(problem);
            await delivery.DeadLetterAsync(problem, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        string batchId = message.BatchId;
        if (delivery.DequeueCount > _options.MaxDequeueCount)
        {
            // Workers died holding it (killed, out of memory) more often than the limit allows: stop the loop.
            await GiveUpAsync(delivery, batchId,
                $"The job was delivered {delivery.DequeueCount} times without finishing (limit {_options.MaxDequeueCount}, Thaw:Jobs:MaxDequeueCount).")
                .ConfigureAwait(false);
            return;
        }

        using var renewing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task renewal = RenewAsync(delivery, batchId, renewing.Token);
        try
        {
            await runner.RunAsync(message, cancellationToken).ConfigureAwait(false);
            await StopAsync(renewing, renewal).ConfigureAwait(false);
            await delivery.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The instance is stopping: hand the job back at once; the next delivery resumes after the last chunk.
            await StopAsync(renewing, renewal).ConfigureAwait(false);
            await delivery.AbandonAsync(TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
        }
        catch (BatchFailedException e) when (e.Code == BatchFailedException.NotFound)
        {
            // No batch to carry the reason (a forged or stale message): the poison queue keeps it.
            await StopAsync(renewing, renewal).ConfigureAwait(false);
            await delivery.DeadLetterAsync(e.Message, CancellationToken.None).ConfigureAwait(false);
            LogNotAJob(e.Message);
        }
        catch (BatchFailedException e)
        {
            await StopAsync(renewing, renewal).ConfigureAwait(false);
            await runner.FailAsync(batchId, e.Code, e.Message, CancellationToken.None).ConfigureAwait(false);
            await delivery.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
            LogFailed(batchId, e.Message);
        }
        catch (Exception e)
        {
            await StopAsync(renewing, renewal).ConfigureAwait(false);
            if (delivery.DequeueCount >= _options.MaxDequeueCount)
            {
                await GiveUpAsync(delivery, batchId, $"The job failed on each of its {delivery.DequeueCount} deliveries; the last error: {e.Message}").ConfigureAwait(false);
            }
            else
            {
                LogRetrying(batchId, delivery.DequeueCount, _options.MaxDequeueCount, _options.RetryDelay, e);
                await delivery.AbandonAsync(_options.RetryDelay, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task GiveUpAsync(IJobDelivery delivery, string batchId, string reason)
    {
        await delivery.DeadLetterAsync(reason, CancellationToken.None).ConfigureAwait(false);
        await runner.FailAsync(batchId, "job_poisoned", reason, CancellationToken.None).ConfigureAwait(false);
        LogDeadLettered(batchId, reason);
    }

    private async Task RenewAsync(IJobDelivery delivery, string batchId, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.VisibilityTimeout / 2, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await delivery.RenewAsync(_options.VisibilityTimeout, cancellationToken).ConfigureAwait(false);
                await runner.RenewLeaseAsync(batchId, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Without its lease the job may run twice; chunks overwrite themselves, so that costs time, not results.
            LogRenewFailed(batchId, e);
        }
    }

    private static async Task StopAsync(CancellationTokenSource renewing, Task renewal)
    {
        await renewing.CancelAsync().ConfigureAwait(false);
        await renewal.ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 910, Level = LogLevel.Warning, Message = "Dead-lettered a queue message: {Problem}")]
    private partial void LogNotAJob(string problem);

    [LoggerMessage(EventId = 911, Level = LogLevel.Warning, Message = "Batch {BatchId}: attempt {Attempt} of {Limit} failed; retrying in {Delay}")]
    private partial void LogRetrying(string batchId, int attempt, int limit, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 912, Level = LogLevel.Error, Message = "Batch {BatchId}: dead-lettered and failed: {Reason}")]
    private partial void LogDeadLettered(string batchId, string reason);

    [LoggerMessage(EventId = 913, Level = LogLevel.Error, Message = "Batch {BatchId}: failed: {Reason}")]
    private partial void LogFailed(string batchId, string reason);

    [LoggerMessage(EventId = 914, Level = LogLevel.Warning, Message = "Batch {BatchId}: could not renew the message's lease")]
    private partial void LogRenewFailed(string batchId, Exception exception);
}
