using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Thaw.Inference.Jobs;

/// <summary>
/// The standalone host's timer for <see cref="BatchSweeper"/> and <see cref="FileRetentionSweeper"/>: one sweep of each
/// every <see cref="JobsOptions.SweepInterval"/>.
/// </summary>
internal sealed partial class BatchSweepService(
    BatchSweeper sweeper, FileRetentionSweeper retention, IOptions<JobsOptions> options, TimeProvider time, ILogger<BatchSweepService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await sweeper.SweepAsync(stoppingToken).ConfigureAwait(false);
                    await retention.SweepAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The store is unreachable for now: the next tick tries again, and the host stays up.
                    LogSweepFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 1310, Level = LogLevel.Warning, Message = "The batch sweep failed; it runs again at the next interval")]
    private partial void LogSweepFailed(Exception exception);
}
