using Microsoft.Extensions.Logging;
using Thaw.Inference.Storage;

namespace Thaw.Inference.KeepAlive;

/// <summary>
/// Idle-time histograms on local disk, <c>{directory}/{model}.json</c>, written by atomic rename so a crash never
/// leaves half a file. A file that cannot be read is logged and treated as empty. Merges are serialized within the
/// process; instances on other machines need the Blob store.
/// </summary>
internal sealed partial class LocalIdleStatisticsStore(string directory, ILogger<LocalIdleStatisticsStore> logger) : IIdleStatisticsStore
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<IdleTimeHistogram?> LoadAsync(string modelId, CancellationToken cancellationToken = default)
    {
        string path = PathOf(modelId);
        string json;
        try
        {
            json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            return IdleTimeHistogram.FromJson(json);
        }
        catch (FormatException e)
        {
            LogUnreadable(modelId, path, e.Message);
            return null;
        }
    }

    public async Task<IdleTimeHistogram> MergeAsync(string modelId, IdleTimeHistogram samples, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            IdleTimeHistogram merged = samples.Clone();
            if (await LoadAsync(modelId, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                if (stored.HasShapeOf(samples))
                {
                    merged.MergeFrom(stored);
                }
                else
                {
                    LogShapeChanged(modelId, stored.BinCount, stored.BinWidth, samples.BinCount, samples.BinWidth);
                }
            }

            Directory.CreateDirectory(directory);
            string path = PathOf(modelId);
            await AtomicFile.WriteAllTextAsync(path, merged.ToJson(), cancellationToken).ConfigureAwait(false);

            return merged;
        }
        finally
        {
            _gate.Release();
        }
    }

    // Model ids come from the catalog, but a file name must never climb out of the directory.
    private string PathOf(string modelId) => Path.Combine(directory, Uri.EscapeDataString(modelId) + ".json");

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning,
        Message = "Model {ModelId}: idle-time statistics at {Path} are unreadable ({Reason}); starting from an empty histogram")]
    private partial void LogUnreadable(string modelId, string path, string reason);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning,
        Message = "Model {ModelId}: stored idle-time statistics have {StoredBins} bins of {StoredWidth}, now {Bins} bins of {Width}; starting afresh")]
    private partial void LogShapeChanged(string modelId, int storedBins, TimeSpan storedWidth, int bins, TimeSpan width);
}
