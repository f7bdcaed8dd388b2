using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Thaw.Inference.Jobs;

/// <summary>
/// The standalone host's queue listener: receives job messages and runs up to
/// <see cref="JobsOptions.MaxConcurrentJobs"/> at once. On shutdown, running jobs stop between lines and hand their
/// message back; the next delivery resumes after the last written chunk.
/// </summary>
internal sealed partial class JobListenerService(
    IJobQueue queue,
    IBatchStore batches,
    BatchJobProcessor processor,
    IOptions<JobsOptions> options,
    ILogger<JobListenerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (queue is InProcessJobQueue)
        {
            await RequeueUnfinishedAsync(stoppingToken).ConfigureAwait(false);
        }

        int slots = options.Value.MaxConcurrentJobs;
        using var free = new SemaphoreSlim(slots, slots);
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
                catch
                {
                    free.Release();
                    throw;
                }

                _ = Task.Run(async () =>
                {
                    try
                    {
                        await processor.ProcessAsync(delivery, stoppingToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
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
    /// The in-process queue forgets its messages when the process ends, but the batches and their written chunks are
    /// on disk: queue every unfinished batch again, so a restarted <c>thaw serve</c> resumes them.
    /// </summary>
    private async Task RequeueUnfinishedAsync(CancellationToken cancellationToken)
    {
        BatchPage all = await batches.ListAsync(int.MaxValue, null, cancellationToken).ConfigureAwait(false);
        foreach (BatchRecord batch in all.Batches.Where(b => !b.IsTerminal).Reverse())
        {
            await queue.EnqueueAsync(JobMessage.ForBatch(batch.Id), cancellationToken).ConfigureAwait(false);
            LogRequeued(batch.Id, batch.Status);
        }
    }

    [LoggerMessage(EventId = 920, Level = LogLevel.Information, Message = "Batch {BatchId}: queued again at start ({Status})")]
    private partial void LogRequeued(string batchId, BatchStatus status);

    [LoggerMessage(EventId = 921, Level = LogLevel.Error, Message = "A job failed unexpectedly while being settled; its message will be delivered again")]
    private partial void LogUnexpected(Exception exception);
}
