using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Thaw.Inference.Storage;

namespace Thaw.Inference.Jobs.Local;

/// <summary>
/// Files on local disk (the embedded default): <c>{directory}/{id}.data</c> and its metadata <c>{id}.json</c>,
/// each written by atomic rename, the metadata last, so a file is visible only once its content is whole. A list pages
/// over the names of <c>{directory}/listing/{owner}/{purpose}/</c> (empty files named by <see cref="FileIndex"/>, written
/// after the metadata) and reads only the page's records, so one owner's page never reads another's; it skips (and
/// logs) an entry whose record it cannot read. <c>{directory}/expiry/</c> names the files that expire, by expiry time,
/// for every owner. A directory without a listing (from before owners, whose <c>index/</c> had no owner, or from
/// before any index) gets one from its records when first used, each under the owner its record names.
/// </summary>
internal sealed partial class LocalFileStore(string directory, TimeProvider time, ILogger<LocalFileStore>? logger = null) : IFileStore
{
    private readonly ILogger _logger = logger ?? NullLogger<LocalFileStore>.Instance;

    public async Task<FileRecord> PutAsync(FileUpload upload, Stream content, CancellationToken cancellationToken = default)
    {
        System.IO.Directory.CreateDirectory(directory);
        await EnsureIndexAsync(cancellationToken).ConfigureAwait(false);
        if (!OwnerNames.IsValid(upload.Owner))
        {
            throw new ArgumentException($"Bug: '{upload.Owner}' is not an owner name; options validation admits only [a-z0-9-]{{1,{OwnerNames.MaxLength}}}.", nameof(upload));
        }

        string id = upload.Id ?? JobIds.NewFileId(time);
        string data = DataPath(id);
        long bytes = await AtomicFile.WriteAsync(data, (target, ct) => new SizeLimitedStream(content, upload.MaxBytes).CopyToAsync(target, ct), cancellationToken)
            .ConfigureAwait(false);
        DateTimeOffset now = time.GetUtcNow();
        var record = new FileRecord
        {
            Id = id,
            Bytes = bytes,
            CreatedAt = now.ToUnixTimeSeconds(),
            Filename = upload.Filename,
            Purpose = upload.Purpose,
            ExpiresAt = upload.ExpiresAfter is { } after ? (now + after).ToUnixTimeSeconds() : null,
            Owner = upload.Owner,
        };
        FileRecord? previous = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAsync(MetaPath(id), JsonSerializer.SerializeToUtf8Bytes(record, JobsJsonContext.Default.FileRecord), cancellationToken)
            .ConfigureAwait(false);
        if (previous is not null)
        {
            DeleteIndex(previous);
        }

        await WriteIndexAsync(record).ConfigureAwait(false);
        return record;
    }

    public async Task<FileRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!JobIds.IsWellFormed(id))
        {
            return null;
        }

        try
        {
            await using FileStream meta = File.OpenRead(MetaPath(id));
            return await JsonSerializer.DeserializeAsync(meta, JobsJsonContext.Default.FileRecord, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async Task<Stream?> OpenReadAsync(string id, CancellationToken cancellationToken = default)
    {
        if (await GetAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        try
        {
            return new FileStream(DataPath(id), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async Task<FilePage> ListAsync(FileQuery query, CancellationToken cancellationToken = default)
    {
        await EnsureIndexAsync(cancellationToken).ConfigureAwait(false);
        if (!OwnerNames.IsValid(query.Owner))
        {
            return new FilePage([], false);
        }

        string root = Path.Combine(IndexRoot, query.Owner);
        if (!System.IO.Directory.Exists(root) || (query.Purpose is { } purpose && !FilePurposes.IsKnown(purpose)))
        {
            return new FilePage([], false);
        }

        IEnumerable<string> folders = query.Purpose is null ? System.IO.Directory.EnumerateDirectories(root) : [Path.Combine(root, query.Purpose)];
        List<string> names = folders.Where(System.IO.Directory.Exists)
            .SelectMany(folder => System.IO.Directory.EnumerateFiles(folder).Select(Path.GetFileName))
            .Where(name => FileIndex.IdOf(name!) is not null)
            .Order(StringComparer.Ordinal)
            .ToList()!;
        if (!query.Ascending)
        {
            names.Reverse();
        }

        int start = 0;
        if (query.After is { } after)
        {
            start = names.FindIndex(name => FileIndex.IdOf(name) == after) + 1;
            if (start == 0)
            {
                return new FilePage([], false);
            }
        }

        var page = new List<FileRecord>();
        int next = start;
        for (; next < names.Count && page.Count < query.Limit; next++)
        {
            string id = FileIndex.IdOf(names[next])!;
            try
            {
                if (await GetAsync(id, cancellationToken).ConfigureAwait(false) is { } record)
                {
                    page.Add(record);
                }
            }
            catch (JsonException)
            {
                LogUnreadable(_logger, id + ".json");
            }
        }

        return new FilePage(page, next < names.Count);
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        FileRecord? record;
        try
        {
            record = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            record = null;
        }

        if (record is not null)
        {
            // The index entries go first: a list never shows a file whose record is gone.
            DeleteIndex(record);
        }

        if (!JobIds.IsWellFormed(id) || !File.Exists(MetaPath(id)))
        {
            return false;
        }

        File.Delete(MetaPath(id));
        File.Delete(DataPath(id));
        return true;
    }

    public async Task<FileRecord?> SetExpiryAsync(string id, TimeSpan expiresAfter, CancellationToken cancellationToken = default)
    {
        await EnsureIndexAsync(cancellationToken).ConfigureAwait(false);
        if (await GetAsync(id, cancellationToken).ConfigureAwait(false) is not { } record)
        {
            return null;
        }

        FileRecord expiring = record with { ExpiresAt = record.CreatedAt + (long)expiresAfter.TotalSeconds };
        await AtomicFile.WriteAsync(MetaPath(id), JsonSerializer.SerializeToUtf8Bytes(expiring, JobsJsonContext.Default.FileRecord), cancellationToken)
            .ConfigureAwait(false);
        DeleteIndex(record);
        await WriteIndexAsync(expiring).ConfigureAwait(false);
        return expiring;
    }

    public Task<IReadOnlyList<string>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        long seconds = now.ToUnixTimeSeconds();
        IReadOnlyList<string> expired = System.IO.Directory.Exists(ExpiryRoot)
            ? System.IO.Directory.EnumerateFiles(ExpiryRoot).Select(Path.GetFileName).Order(StringComparer.Ordinal)
                .TakeWhile(name => FileIndex.IsAtOrBefore(name!, seconds)).Select(name => FileIndex.IdOf(name!)).OfType<string>().Take(limit).ToList()
            : [];
        return Task.FromResult(expired);
    }

    private async Task EnsureIndexAsync(CancellationToken cancellationToken)
    {
        if (System.IO.Directory.Exists(IndexRoot) || !System.IO.Directory.Exists(directory))
        {
            return;
        }

        foreach (string meta in System.IO.Directory.EnumerateFiles(directory, "*.json"))
        {
            try
            {
                if (await GetAsync(Path.GetFileNameWithoutExtension(meta), cancellationToken).ConfigureAwait(false) is { } record)
                {
                    await WriteIndexAsync(record).ConfigureAwait(false);
                }
            }
            catch (JsonException)
            {
                LogUnreadable(_logger, Path.GetFileName(meta));
            }
        }

        System.IO.Directory.CreateDirectory(IndexRoot);
        string legacy = Path.Combine(directory, "index");
        if (System.IO.Directory.Exists(legacy))
        {
            // Its entries name no owner; the listing just built from the records replaces it.
            System.IO.Directory.Delete(legacy, recursive: true);
        }
    }

    private async Task WriteIndexAsync(FileRecord record)
    {
        foreach (string? path in (string?[])[IndexPath(record), ExpiryPath(record)])
        {
            if (path is not null)
            {
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllBytesAsync(path, []).ConfigureAwait(false);
            }
        }
    }

    private void DeleteIndex(FileRecord record)
    {
        File.Delete(IndexPath(record));
        if (ExpiryPath(record) is { } expiry)
        {
            File.Delete(expiry);
        }
    }

    private string ExpiryRoot => Path.Combine(directory, "expiry");

    private string? ExpiryPath(FileRecord record) => FileIndex.ExpiryName(record) is { } name ? Path.Combine(ExpiryRoot, name) : null;

    private string IndexRoot => Path.Combine(directory, "listing");

    private string IndexPath(FileRecord record) =>
        Path.Combine(IndexRoot, record.Owner, FilePurposes.IsKnown(record.Purpose) ? record.Purpose : "other", FileIndex.Name(record, ascending: true));

    private string DataPath(string id) => Path.Combine(directory, id + ".data");

    private string MetaPath(string id) => Path.Combine(directory, id + ".json");

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "The file {Name} is not readable file metadata; the list skips it")]
    private static partial void LogUnreadable(ILogger logger, string name);
}
