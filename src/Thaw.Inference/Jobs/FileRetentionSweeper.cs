using Microsoft.Extensions.Logging;

namespace Thaw.Inference.Jobs;

/// <summary>
/// Deletes the files past their <c>expires_at</c> (an upload's <c>expires_after</c>, a batch output's
/// <see cref="JobsOptions.OutputRetention"/>), found from the store's expiry index, soonest first, so a sweep reads
/// only what it deletes. Runs on the batch sweep's timer in both hosts; sweeps that race delete a file once.
/// </summary>
public sealed partial class FileRetentionSweeper(IFileStore files, TimeProvider time, ILogger<FileRetentionSweeper> logger)
{
    private const int PageSize = 100;

    /// <summary>Deletes every file expired by now; returns how many it deleted.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        int deleted = 0;
        while (true)
        {
            IReadOnlyList<string> expired = await files.ExpiredAsync(time.GetUtcNow(), PageSize, cancellationToken).ConfigureAwait(false);
            int before = deleted;
            foreach (string id in expired)
            {
                if (await files.DeleteAsync(id, cancellationToken).ConfigureAwait(false))
                {
                    deleted++;
                }
            }

            // A page whose entries were all gone already (another instance swept them) ends the sweep too.
            if (expired.Count < PageSize || deleted == before)
            {
                if (deleted > 0)
                {
                    LogDeleted(deleted);
                }

                return deleted;
            }
        }
    }

    [LoggerMessage(EventId = 1320, Level = LogLevel.Information, Message = "Retention: deleted {Count} expired files")]
    private partial void LogDeleted(int count);
}
