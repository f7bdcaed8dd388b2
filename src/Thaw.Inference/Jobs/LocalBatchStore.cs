using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Thaw.Inference.Jobs;

/// <summary>
/// Batches on local disk (the embedded default), one <c>{id}.json</c> each with a version counter as its ETag.
/// Writes are serialized within the process and land by atomic rename; one process owns the directory. A list skips
/// (and logs) a file it cannot read, so one damaged record cannot break <c>GET /v1/batches</c>.
/// </summary>
internal sealed partial class LocalBatchStore(string directory, ILogger<LocalBatchStore>? logger = null) : IBatchStore
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ILogger _logger = logger ?? NullLogger<LocalBatchStore>.Instance;

    public async Task CreateAsync(BatchRecord batch, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (File.Exists(PathOf(batch.Id)))
            {
                throw new InvalidOperationException($"Batch '{batch.Id}' exists already; new ids are unique, so this is a bug.");
            }

            await WriteAsync(new StoredBatch(1, batch), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<VersionedBatch?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        await ReadAsync(id, cancellationToken).ConfigureAwait(false) is { } stored
            ? new VersionedBatch(stored.Batch, stored.Version.ToString(CultureInfo.InvariantCulture))
            : null;

    public async Task<string?> TryUpdateAsync(BatchRecord batch, string etag, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await ReadAsync(batch.Id, cancellationToken).ConfigureAwait(false) is not { } current
                || current.Version.ToString(CultureInfo.InvariantCulture) != etag)
            {
                return null;
            }

            var next = new StoredBatch(current.Version + 1, batch);
            await WriteAsync(next, cancellationToken).ConfigureAwait(false);
            return next.Version.ToString(CultureInfo.InvariantCulture);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<BatchPage> ListAsync(int limit, string? after, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(directory))
        {
            return new BatchPage([], false);
        }

        var all = new List<BatchRecord>();
        foreach (string path in Directory.EnumerateFiles(directory, "*.json"))
        {
            try
            {
                if (await ReadAsync(Path.GetFileNameWithoutExtension(path), cancellationToken).ConfigureAwait(false) is { } stored)
                {
                    all.Add(stored.Batch);
                }
            }
            catch (JsonException)
            {
                LogUnreadable(_logger, Path.GetFileName(path));
            }
        }

        // Ids are time-ordered (version-7 GUIDs), so id order is creation order even within one second.
        List<BatchRecord> ordered = all.OrderByDescending(b => b.Id, StringComparer.Ordinal).ToList();
        int start = after is null ? 0 : ordered.FindIndex(b => b.Id == after) + 1;
        if (after is not null && start == 0)
        {
            return new BatchPage([], false);
        }

        List<BatchRecord> page = ordered.Skip(start).Take(limit).ToList();
        return new BatchPage(page, start + page.Count < ordered.Count);
    }

    private async Task<StoredBatch?> ReadAsync(string id, CancellationToken cancellationToken)
    {
        if (!JobIds.IsWellFormed(id))
        {
            return null;
        }

        try
        {
            await using FileStream stream = File.OpenRead(PathOf(id));
            return await JsonSerializer.DeserializeAsync(stream, JobsJsonContext.Default.StoredBatch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private Task WriteAsync(StoredBatch stored, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        return AtomicFile.WriteAsync(PathOf(stored.Batch.Id), JsonSerializer.SerializeToUtf8Bytes(stored, JobsJsonContext.Default.StoredBatch), cancellationToken);
    }

    private string PathOf(string id) => Path.Combine(directory, id + ".json");

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "The file {Name} is not a readable batch record; the list skips it")]
    private static partial void LogUnreadable(ILogger logger, string name);
}
