using System.Globalization;
using System.Text;
using System.Text.Json;
using Thaw.Inference.Storage;

namespace Thaw.Inference.Jobs.Local;

/// <summary>
/// Output chunks on local disk: <c>{directory}/{batch}/{first line}.{attempt}.output.jsonl</c> and <c>.errors.jsonl</c>,
/// streamed to partial files and renamed when whole, then the marker <c>{first line}.json</c> (atomic rename), which
/// names the attempt. Commit joins the chunks into the file store under ids derived from the batch id, so committing twice
/// yields the same files. The lease is <c>{batch}/lease</c>: Unix milliseconds as text.
/// </summary>
internal sealed class LocalBatchOutput(string directory, IFileStore files, TimeSpan retention) : IBatchOutput
{
    public async Task<IReadOnlyList<BatchProgress>> ReadProgressAsync(string batchId, IReadOnlyList<LineRange> ranges, CancellationToken cancellationToken = default) =>
        BatchOutputCommits.Progress(await ReadMarkersAsync(batchId, cancellationToken).ConfigureAwait(false), ranges, m => m.Chunk);

    public Task<IBatchChunkWriter> BeginChunkAsync(string batchId, int firstLine, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(BatchDirectory(batchId));
        string attempt = Guid.NewGuid().ToString("N")[..12];
        return Task.FromResult<IBatchChunkWriter>(new LocalChunkWriter(
            DataPath(batchId, firstLine, attempt, "output.jsonl"), DataPath(batchId, firstLine, attempt, "errors.jsonl"), ChunkPath(batchId, firstLine, "json"), attempt));
    }

    public async Task<CommittedOutput> CommitAsync(string batchId, string owner, IReadOnlyList<BatchProgress> progress, CancellationToken cancellationToken = default)
    {
        Dictionary<int, StoredChunk> stored = await ReadMarkersAsync(batchId, cancellationToken).ConfigureAwait(false);
        List<StoredChunk> chunks = BatchOutputCommits.Select(batchId, progress, stored, m => m.Chunk);
        FileRecord output = await JoinAsync(batchId, owner, chunks, "output.jsonl", JobIds.OutputFileId(batchId), cancellationToken).ConfigureAwait(false);
        FileRecord errors = await JoinAsync(batchId, owner, chunks, "errors.jsonl", JobIds.ErrorFileId(batchId), cancellationToken).ConfigureAwait(false);
        if (errors.Bytes == 0)
        {
            await files.DeleteAsync(errors.Id, cancellationToken).ConfigureAwait(false);
            return new CommittedOutput(output, null);
        }

        return new CommittedOutput(output, errors);
    }

    public Task RenewLeaseAsync(string batchId, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(BatchDirectory(batchId));
        byte[] text = Encoding.ASCII.GetBytes(until.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        return AtomicFile.WriteAsync(LeasePath(batchId), text, cancellationToken);
    }

    public async Task<DateTimeOffset?> ReadLeaseAsync(string batchId, CancellationToken cancellationToken = default)
    {
        try
        {
            string text = await File.ReadAllTextAsync(LeasePath(batchId), cancellationToken).ConfigureAwait(false);
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long milliseconds)
                ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds)
                : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Every whole marker of the batch, by first line (one whose name is not its first line, left by an older version, is skipped).</summary>
    private async Task<Dictionary<int, StoredChunk>> ReadMarkersAsync(string batchId, CancellationToken cancellationToken)
    {
        var markers = new Dictionary<int, StoredChunk>();
        if (!Directory.Exists(BatchDirectory(batchId)))
        {
            return markers;
        }

        foreach (string path in Directory.EnumerateFiles(BatchDirectory(batchId), "*.json"))
        {
            if (int.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out int firstLine)
                && await ReadMarkerAsync(path, cancellationToken).ConfigureAwait(false) is { } marker && marker.FirstLine == firstLine)
            {
                markers[firstLine] = marker;
            }
        }

        return markers;
    }

    private async Task<FileRecord> JoinAsync(string batchId, string owner, List<StoredChunk> chunks, string suffix, string fileId, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(BatchDirectory(batchId));
        string joined = AtomicFile.PartialPath(ChunkPath(batchId, -1, suffix));
        try
        {
            await using (var target = new FileStream(joined, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                foreach (StoredChunk chunk in chunks)
                {
                    await using FileStream data = File.OpenRead(DataPath(batchId, chunk.FirstLine, chunk.Attempt, suffix));
                    await data.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
                }

                target.Position = 0;
                string name = $"{batchId}_{suffix.Replace(".jsonl", "", StringComparison.Ordinal)}.jsonl";
                return await files.PutAsync(new FileUpload(name, FilePurposes.BatchOutput, long.MaxValue, fileId, retention, owner), target, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            File.Delete(joined);
        }
    }

    private static async Task<StoredChunk?> ReadMarkerAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using FileStream stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync(stream, LocalJobsJsonContext.Default.StoredChunk, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private string BatchDirectory(string batchId) => Path.Combine(directory, batchId);

    private string LeasePath(string batchId) => Path.Combine(BatchDirectory(batchId), "lease");

    private string ChunkPath(string batchId, int firstLine, string suffix) =>
        Path.Combine(BatchDirectory(batchId), string.Create(CultureInfo.InvariantCulture, $"{firstLine:D8}.{suffix}"));

    private string DataPath(string batchId, int firstLine, string attempt, string suffix) =>
        Path.Combine(BatchDirectory(batchId), string.Create(CultureInfo.InvariantCulture, $"{firstLine:D8}.{attempt}.{suffix}"));
}
