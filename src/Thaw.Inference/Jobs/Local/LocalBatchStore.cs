using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Thaw.Inference.Storage;

namespace Thaw.Inference.Jobs.Local;

/// <summary>
/// Batches on local disk (the embedded default), one <c>{id}.json</c> each with a version counter as its ETag, and an
/// empty <c>listing/{owner}/{id}</c> (written after the record) so that an owner's list reads that owner's records only.
/// Writes are serialized within the process and land by atomic rename; one process owns the directory. A directory
/// without a listing (from before owners) gets one from its records when first used. A list skips (and logs) a file
/// it cannot read, so one damaged record cannot break <c>GET /v1/batches</c>.
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

            if (!OwnerNames.IsValid(batch.Owner))
            {
                throw new ArgumentException($"Bug: '{batch.Owner}' is not an owner name; options validation admits only [a-z0-9-]{{1,{OwnerNames.MaxLength}}}.", nameof(batch));
            }

            await EnsureListingAsync(cancellationToken).ConfigureAwait(false);
            await WriteAsync(new StoredBatch(1, batch), cancellationToken).ConfigureAwait(false);
            await WriteListingAsync(batch).ConfigureAwait(false);
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

    public async Task<BatchPage> ListAsync(int limit, string? after, string? owner, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(directory) || (owner is not null && !OwnerNames.IsValid(owner)))
        {
            return new BatchPage([], false);
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureListingAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        // Ids are time-ordered (version-7 GUIDs), so id order is creation order even within one second.
        List<string> ids = (owner is null ? Directory.EnumerateFiles(directory, "*.json") : ListedPaths(owner))
            .Select(Path.GetFileNameWithoutExtension).OfType<string>().Where(JobIds.IsWellFormed)
            .OrderDescending(StringComparer.Ordinal).ToList();
        return await BatchPage.ReadAsync(ids, after, limit, async (id, token) =>
        {
            try
            {
                return (await ReadAsync(id, token).ConfigureAwait(false))?.Batch;
            }
            catch (JsonException)
            {
                LogUnreadable(_logger, id + ".json");
                return null;
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    private IEnumerable<string> ListedPaths(string owner)
    {
        string folder = Path.Combine(ListingRoot, owner);
        return Directory.Exists(folder) ? Directory.EnumerateFiles(folder) : [];
    }

    /// <summary>Under the gate: a directory of records from before owners gets its listing, each record under its owner.</summary>
    private async Task EnsureListingAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(ListingRoot) || !Directory.Exists(directory))
        {
            return;
        }

        foreach (string path in Directory.EnumerateFiles(directory, "*.json"))
        {
            try
            {
                if (await ReadAsync(Path.GetFileNameWithoutExtension(path), cancellationToken).ConfigureAwait(false) is { } stored)
                {
                    await WriteListingAsync(stored.Batch).ConfigureAwait(false);
                }
            }
            catch (JsonException)
            {
                LogUnreadable(_logger, Path.GetFileName(path));
            }
        }

        Directory.CreateDirectory(ListingRoot);
    }

    private async Task WriteListingAsync(BatchRecord batch)
    {
        string folder = Path.Combine(ListingRoot, batch.Owner);
        Directory.CreateDirectory(folder);
        await File.WriteAllBytesAsync(Path.Combine(folder, batch.Id), []).ConfigureAwait(false);
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
            return await JsonSerializer.DeserializeAsync(stream, LocalJobsJsonContext.Default.StoredBatch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private Task WriteAsync(StoredBatch stored, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        return AtomicFile.WriteAsync(PathOf(stored.Batch.Id), JsonSerializer.SerializeToUtf8Bytes(stored, LocalJobsJsonContext.Default.StoredBatch), cancellationToken);
    }

    private string PathOf(string id) => Path.Combine(directory, id + ".json");

    private string ListingRoot => Path.Combine(directory, "listing");

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "The file {Name} is not a readable batch record; the list skips it")]
    private static partial void LogUnreadable(ILogger logger, string name);
}
