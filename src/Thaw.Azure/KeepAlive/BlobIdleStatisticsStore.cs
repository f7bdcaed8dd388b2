using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Thaw.Azure.Storage;
using Thaw.Inference.KeepAlive;

namespace Thaw.Azure.KeepAlive;

/// <summary>
/// Idle-time histograms in Blob Storage, <c>{KeepAliveContainer}/idle-times/{model}.json</c>, shared by every
/// instance. A merge reads the blob, adds this instance's samples and writes back only if nobody wrote in between
/// (If-Match on the ETag read, If-None-Match * for a new blob); on 412/409 it reads again and retries, so concurrent
/// instances never lose each other's counts. A blob that cannot be read is logged and replaced.
/// </summary>
internal sealed partial class BlobIdleStatisticsStore(BlobClients clients, ILogger<BlobIdleStatisticsStore> logger) : IIdleStatisticsStore
{
    // Each round of a conflict lets at least one writer through, so this bounds the instances writing at once.
    private const int MaxAttempts = 64;

    private int _containerReady;

    public async Task<IdleTimeHistogram?> LoadAsync(string modelId, CancellationToken cancellationToken = default) =>
        (await ReadAsync(modelId, cancellationToken).ConfigureAwait(false)).Histogram;

    public async Task<IdleTimeHistogram> MergeAsync(string modelId, IdleTimeHistogram samples, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(samples);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        for (int attempt = 1; ; attempt++)
        {
            (IdleTimeHistogram? stored, ETag? etag) = await ReadAsync(modelId, cancellationToken).ConfigureAwait(false);
            IdleTimeHistogram merged = samples.Clone();
            if (stored is not null && stored.HasShapeOf(samples))
            {
                merged.MergeFrom(stored);
            }
            else if (stored is not null)
            {
                LogShapeChanged(modelId, stored.BinCount, stored.BinWidth, samples.BinCount, samples.BinWidth);
            }

            var conditions = etag is { } match ? new BlobRequestConditions { IfMatch = match } : new BlobRequestConditions { IfNoneMatch = ETag.All };
            try
            {
                await Blob(modelId).UploadAsync(BinaryData.FromString(merged.ToJson()), new BlobUploadOptions
                {
                    Conditions = conditions,
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                }, cancellationToken).ConfigureAwait(false);
                return merged;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Another instance wrote since the read: read its sum and add ours to that.
            }
        }
    }

    private async Task<(IdleTimeHistogram? Histogram, ETag? ETag)> ReadAsync(string modelId, CancellationToken cancellationToken)
    {
        BlobDownloadResult download;
        try
        {
            download = (await Blob(modelId).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return (null, null);
        }

        try
        {
            return (IdleTimeHistogram.FromJson(download.Content.ToString()), download.Details.ETag);
        }
        catch (FormatException e)
        {
            LogUnreadable(modelId, $"{clients.Options.KeepAliveContainer}/{BlobName(modelId)}", e.Message);
            // The ETag still guards the replacement: a concurrent repair by another instance is not overwritten.
            return (null, download.Details.ETag);
        }
    }

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _containerReady) == 0)
        {
            await Container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _containerReady, 1);
        }
    }

    private BlobContainerClient Container =>
        (clients.Service ?? throw new InvalidOperationException("Bug: the blob idle-statistics store is registered without Thaw:Storage:ConnectionString or ServiceUri."))
            .GetBlobContainerClient(clients.Options.KeepAliveContainer);

    private BlobClient Blob(string modelId) => Container.GetBlobClient(BlobName(modelId));

    private static string BlobName(string modelId) => $"idle-times/{Uri.EscapeDataString(modelId)}.json";

    [LoggerMessage(EventId = 510, Level = LogLevel.Warning,
        Message = "Model {ModelId}: idle-time statistics in blob {Blob} are unreadable ({Reason}); starting from an empty histogram")]
    private partial void LogUnreadable(string modelId, string blob, string reason);

    [LoggerMessage(EventId = 511, Level = LogLevel.Warning,
        Message = "Model {ModelId}: stored idle-time statistics have {StoredBins} bins of {StoredWidth}, now {Bins} bins of {Width}; starting afresh")]
    private partial void LogShapeChanged(string modelId, int storedBins, TimeSpan storedWidth, int bins, TimeSpan width);
}
