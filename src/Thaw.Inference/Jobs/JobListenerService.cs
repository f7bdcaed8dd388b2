using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Thaw.Inference.Jobs;

/// <summary>
/// The standalone host's queue listener: receives job messages and runs up to
/// <see cref="JobsOptions.MaxConcurrentJobs"/> at once. On shutdown, running jobs stop between lines and hand their
/// message back; the next delivery resumes after the last written chunk. A queue that fails (its storage or Service Bus
/// unreachable, its credentials refused) is logged and tried again after a capped exponential back-off
/// (<see cref="JobsOptions.MaxFailureBackoff"/>) on the injected clock: the API of this host needs no queue, so an
/// outage of the queue must not stop the host.
/// </summary>
internal sealed partial class JobListenerService(
    IJobQueue queue,
    IBatchStore batches,
    BatchJobProcessor processor,
    IOptions<JobsOptions> options,
    TimeProvider time,
    ILogger<JobListenerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!queue.IsDurable)
        {
            await RequeueUnfinishedAsync(stoppingToken).ConfigureAwait(false);
        }

        int slots = options.Value.MaxConcurrentJobs;
        using var free = new SemaphoreSlim(slots, slots);
        var backoff = new Backoff(options.Value.FirstFailureBackoff, options.Value.MaxFailureBackoff);
        try
        {
            while (true)
            {
                await free.WaitAsync(stoppingToken).ConfigureAwait(false);
                IJobDelivery delivery;
                try
                {
                    delivery = await queue.ReceiveAsync(options.Value.VisibilityTimeout, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    free.Release();
                    TimeSpan pause = backoff.Next();
                    LogReceiveFailed(e, pause);
                    await Task.Delay(pause, time, stoppingToken).ConfigureAwait(false);
                    continue;
                }
                catch
                {
                    free.Release();
                    throw;
                }

                backoff.Reset();
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await processor.ProcessAsync(delivery, stoppingToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                    {
                        // The store failed while settling the job; its lease lapses and it comes back.
                        LogUnexpected(e);
                    }
                    finally
                    {
                        free.Release();
                    }
                }, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Wait for the running jobs to hand their messages back.
        for (int i = 0; i < slots; i++)
        {
            await free.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A queue that is not durable (<see cref="IJobQueue.IsDurable"/>) forgets its messages when the process ends, but
    /// the batches and their written chunks are on disk: queue every unfinished batch again, so a restarted
    /// <c>thaw serve</c> resumes them.
    /// </summary>
    private async Task RequeueUnfinishedAsync(CancellationToken cancellationToken)
    {
        BatchPage all = await batches.ListAsync(int.MaxValue, null, owner: null, cancellationToken).ConfigureAwait(false);
        foreach (BatchRecord batch in all.Batches.Where(b => !b.IsTerminal).Reverse())
        {
            await queue.EnqueueAsync(JobMessage.ForBatch(batch.Id), cancellationToken).ConfigureAwait(false);
            LogRequeued(batch.Id, batch.Status);
        }
    }

    [LoggerMessage(EventId = 920, Level = LogLevel.Information, Message = "Batch {BatchId}: queued again at start ({Status})")]
    private partial void LogRequeued(string batchId, BatchStatus status);

    [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "Receiving from the job queue failed; trying again in {Pause}")]
    private partial void LogReceiveFailed(Exception exception, TimeSpan pause);

    [LoggerMessage(EventId = 921, Level = LogLevel.Error, Message = "A job failed unexpectedly while being settled; its message will be delivered again")]
    private partial void LogUnexpected(Exception exception);
}
