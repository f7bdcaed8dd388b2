using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Thaw.Inference.Jobs;

/// <summary>
/// Ends the batches that nothing else will end. A worker that runs a batch holds its lease (renewed with its message)
/// and notices cancel and expiry itself between chunks; a batch no worker holds is ended here: past
/// <c>expires_at</c> it is expired and a cancelling one cancelled, each with its partial output committed; a started
/// batch whose lease ran out <see cref="JobsOptions.LostAfter"/> ago is failed as lost (<c>job_lost</c>) — its
/// message was dead-lettered by the platform (the Functions host's maxDequeueCount, Service Bus maxDeliveryCount) or
/// its workers were killed each time. Lost batches are failed, not queued again: a second message could run the batch
/// twice at once and loop for ever on a batch that kills its workers. Every instance sweeps on a timer; the updates
/// are conditional and the commits idempotent, so sweeps that race end a batch once.
/// </summary>
public sealed partial class BatchSweeper(
    IBatchStore batches,
    IBatchOutput output,
    BatchJobRunner runner,
    IOptions<JobsOptions> options,
    TimeProvider time,
    ILogger<BatchSweeper> logger)
{
    private const int PageSize = 100;

    /// <summary>Looks at every unfinished batch once; returns how many it ended.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        int ended = 0;
        string? after = null;
        while (true)
        {
            BatchPage page = await batches.ListAsync(PageSize, after, owner: null, cancellationToken).ConfigureAwait(false);
            foreach (BatchRecord batch in page.Batches)
            {
                if (!batch.IsTerminal && await SweepAsync(batch, cancellationToken).ConfigureAwait(false))
                {
                    ended++;
                }
            }

            if (!page.HasMore || page.Batches.Count == 0)
            {
                return ended;
            }

            after = page.Batches[^1].Id;
        }
    }

    private async Task<bool> SweepAsync(BatchRecord batch, CancellationToken cancellationToken)
    {
        DateTimeOffset now = time.GetUtcNow();
        DateTimeOffset? lease = await output.ReadLeaseAsync(batch.Id, cancellationToken).ConfigureAwait(false);
        if (lease > now)
        {
            return false;
        }

        if (batch.Status == BatchStatus.Cancelling || (batch.ExpiresAt is { } expiresAt && now.ToUnixTimeSeconds() >= expiresAt))
        {
            BatchRecord ended = await runner.EndAsync(batch.Id, batch.Status == BatchStatus.Cancelling ? BatchStatus.Cancelled : BatchStatus.Expired, cancellationToken)
                .ConfigureAwait(false);
            LogEnded(batch.Id, ended.Status, ended.RequestCounts.Completed + ended.RequestCounts.Failed, ended.RequestCounts.Total);
            return true;
        }

        TimeSpan lostAfter = options.Value.LostAfter;
        if (lease is { } lapsed && now - lapsed >= lostAfter)
        {
            string reason = $"No worker has held the batch's job since {lapsed:u} ({lostAfter} ago, Thaw:Jobs:LostAfter): its message was lost — " +
                "dead-lettered by the platform after its own delivery limit, or its workers were killed or timed out each time. Submit the batch again.";
            await runner.FailAsync(batch.Id, "job_lost", reason, cancellationToken).ConfigureAwait(false);
            LogLost(batch.Id, lapsed);
            return true;
        }

        return false;
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Warning, Message = "Batch {BatchId}: no worker holds it; ended as {Status} with {Done}/{Total} lines written")]
    private partial void LogEnded(string batchId, BatchStatus status, int done, int total);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Error, Message = "Batch {BatchId}: lost (no worker since {Lapsed:u}); failed")]
    private partial void LogLost(string batchId, DateTimeOffset lapsed);
}
