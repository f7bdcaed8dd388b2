using Microsoft.Azure.Functions.Worker;
using Thaw.Inference.Jobs;

namespace Thaw.Functions;

/// <summary>
/// Every minute: end the batches that nothing else will end (<see cref="BatchSweeper"/>: expired, cancelled while
/// nothing ran them, lost after the host dead-lettered their message), then delete the files past their
/// <c>expires_at</c> (<see cref="FileRetentionSweeper"/>). The schedule is fixed at build time, so
/// <c>Thaw:Jobs:SweepInterval</c> applies to the standalone host only.
/// </summary>
public sealed class BatchSweepFunction(BatchSweeper sweeper, FileRetentionSweeper retention)
{
    [Function("BatchSweep")]
    public async Task RunAsync([TimerTrigger("0 */1 * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        await sweeper.SweepAsync(cancellationToken).ConfigureAwait(false);
        await retention.SweepAsync(cancellationToken).ConfigureAwait(false);
    }
}
