using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Thaw.Inference.Models;

namespace Thaw.Inference.Hosting;

/// <summary>
/// The standalone host's counterpart of the Functions pre-warm timer: every <see cref="ModelHost.PrewarmTimerPeriod"/>
/// it loads the models whose keep-alive policy predicts a request soon, from the statistics every instance merged. A
/// tick that fails (the statistics' storage unreachable) is logged and the next tick tries again: an escaping
/// exception would stop the host and its API with it.
/// </summary>
internal sealed partial class PrewarmScheduler(ModelHost models, TimeProvider timeProvider, ILogger<PrewarmScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ModelHost.PrewarmTimerPeriod, timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await models.PrewarmDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogTickFailed(e);
            }
        }
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "A pre-warm tick failed; the next tick tries again")]
    private partial void LogTickFailed(Exception exception);
}
