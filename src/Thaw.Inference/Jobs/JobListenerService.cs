using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Thaw.Inference.Jobs;

/// <summary>
/// The standalone host's queue listener: receives job messages and runs up to
/// <see cref="JobsOptions.MaxConcurrentJobs"/> at once. On shutdown, running jobs stop between lines and hand their
/// message back; the next delivery resumes after the last written chunk.
/// </summary>
internal sealed class JobListenerService(IJobQueue queue, BatchJobProcessor processor, IOptions<JobsOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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
}
