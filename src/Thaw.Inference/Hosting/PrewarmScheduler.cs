using Microsoft.Extensions.Hosting;
using Thaw.Inference.Models;

namespace Thaw.Inference.Hosting;

/// <summary>
/// The standalone host's counterpart of the Functions pre-warm timer: every <see cref="ModelHost.PrewarmTimerPeriod"/>
/// it loads the models whose keep-alive policy predicts a request soon, from the statistics every instance merged.
/// </summary>
internal sealed class PrewarmScheduler(ModelHost models, TimeProvider timeProvider) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ModelHost.PrewarmTimerPeriod, timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            await models.PrewarmDueAsync(stoppingToken).ConfigureAwait(false);
        }
    }
}
