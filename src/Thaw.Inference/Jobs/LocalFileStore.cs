using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Thaw.Inference.Jobs;

/// <summary>
/// Files on local disk (the embedded default): <c>{directory}/{id}.data</c> and its metadata <c>{id}.json</c>,
/// each written by atomic rename, the metadata last, so a file is visible only once its content is whole. A list skips
/// (and logs) metadata it cannot read.
/// </summary>
internal sealed partial class LocalFileStore(string directory, TimeProvider time, ILogger<LocalFileStore>? logger = null) : IFileStore
{
    private readonly ILogger _logger = logger ?? NullLogger<LocalFileStore>.Instance;

    public async Task<FileRecord> PutAsync(FileUpload upload, Stream content, CancellationToken cancellationToken = default)
    {
        System.IO.Directory.CreateDirectory(directory);
        string id = upload.Id ?? JobIds.NewFileId(time);
        string data = DataPath(id);
        string partial = AtomicFile.Partial(data);
        try
        {
            long bytes;
            await using (var target = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await new SizeLimitedStream(content, upload.MaxBytes).CopyToAsync(target, cancellationToken).ConfigureAwait(false);
                target.Flush(flushToDisk: true);
                bytes = target.Length;
            }

            File.Move(partial, data, overwrite: true);
            var record = new FileRecord
            {
                Id = id,
                Bytes = bytes,
                CreatedAt = time.GetUtcNow().ToUnixTimeSeconds(),
                Filename = upload.Filename,
                Purpose = upload.Purpose,
            };
            await AtomicFile.WriteAsync(MetaPath(id), JsonSerializer.SerializeToUtf8Bytes(record, JobsJsonContext.Default.FileRecord), cancellationToken)
                .ConfigureAwait(false);
            return record;
        }
        finally
        {
            File.Delete(partial);
        }
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

    public async Task<IReadOnlyList<FileRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            return [];
        }

        var files = new List<FileRecord>();
        foreach (string meta in System.IO.Directory.EnumerateFiles(directory, "*.json"))
        {
            try
            {
                if (await GetAsync(Path.GetFileNameWithoutExtension(meta), cancellationToken).ConfigureAwait(false) is { } record)
                {
                    files.Add(record);
                }
            }
            catch (JsonException)
            {
                LogUnreadable(_logger, Path.GetFileName(meta));
            }
        }

        return files.OrderByDescending(f => f.CreatedAt).ThenByDescending(f => f.Id, StringComparer.Ordinal).ToList();
    }

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!JobIds.IsWellFormed(id) || !File.Exists(MetaPath(id)))
        {
            return Task.FromResult(false);
        }

        File.Delete(MetaPath(id));
        File.Delete(DataPath(id));
        return Task.FromResult(true);
    }

    private string DataPath(string id) => Path.Combine(directory, id + ".data");

    private string MetaPath(string id) => Path.Combine(directory, id + ".json");

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "The file {Name} is not readable file metadata; the list skips it")]
    private static partial void LogUnreadable(ILogger logger, string name);
}
