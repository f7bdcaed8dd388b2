using System.Globalization;
using System.Text.Json;

namespace Thaw.Inference.Jobs;

/// <summary>
/// Output chunks on local disk: <c>{directory}/{batch}/{k}.output.jsonl</c>, <c>{k}.errors.jsonl</c> and the
/// marker <c>{k}.json</c> written last (each by atomic rename). Commit joins the chunks into the file store under
/// ids derived from the batch id, so committing twice yields the same files.
/// </summary>
internal sealed class LocalBatchOutput(string directory, IFileStore files) : IBatchOutput
{
    public async Task<BatchProgress> ReadProgressAsync(string batchId, CancellationToken cancellationToken = default)
    {
        int chunks = 0, completed = 0, failed = 0;
        while (await ReadMarkerAsync(batchId, chunks, cancellationToken).ConfigureAwait(false) is { } marker)
        {
            (completed, failed) = (completed + marker.Completed, failed + marker.Failed);
            chunks++;
        }

        return new BatchProgress(chunks, completed, failed);
    }

    public async Task WriteChunkAsync(string batchId, BatchChunk chunk, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(BatchDirectory(batchId));
        await AtomicFile.WriteAsync(ChunkPath(batchId, chunk.Index, "output.jsonl"), chunk.Output, cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAsync(ChunkPath(batchId, chunk.Index, "errors.jsonl"), chunk.Errors, cancellationToken).ConfigureAwait(false);
        byte[] marker = JsonSerializer.SerializeToUtf8Bytes(new StoredChunk(chunk.Index, chunk.Completed, chunk.Failed), JobsJsonContext.Default.StoredChunk);
        await AtomicFile.WriteAsync(ChunkPath(batchId, chunk.Index, "json"), marker, cancellationToken).ConfigureAwait(false);
    }

    public async Task<CommittedOutput> CommitAsync(string batchId, int chunks, CancellationToken cancellationToken = default)
    {
        FileRecord output = await JoinAsync(batchId, chunks, "output.jsonl", JobIds.OutputFileId(batchId), cancellationToken).ConfigureAwait(false);
        FileRecord errors = await JoinAsync(batchId, chunks, "errors.jsonl", JobIds.ErrorFileId(batchId), cancellationToken).ConfigureAwait(false);
        if (errors.Bytes == 0)
        {
            await files.DeleteAsync(errors.Id, cancellationToken).ConfigureAwait(false);
            return new CommittedOutput(output, null);
        }

        return new CommittedOutput(output, errors);
    }

    private async Task<FileRecord> JoinAsync(string batchId, int chunks, string suffix, string fileId, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(BatchDirectory(batchId));
        string joined = AtomicFile.Partial(ChunkPath(batchId, -1, suffix));
        try
        {
            await using (var target = new FileStream(joined, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                for (int k = 0; k < chunks; k++)
                {
                    await using FileStream chunk = File.OpenRead(ChunkPath(batchId, k, suffix));
                    await chunk.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
                }

                target.Position = 0;
                string name = $"{batchId}_{suffix.Replace(".jsonl", "", StringComparison.Ordinal)}.jsonl";
                return await files.PutAsync(new FileUpload(name, FilePurposes.BatchOutput, long.MaxValue, fileId), target, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            File.Delete(joined);
        }
    }

    private async Task<StoredChunk?> ReadMarkerAsync(string batchId, int index, CancellationToken cancellationToken)
    {
        try
        {
            await using FileStream stream = File.OpenRead(ChunkPath(batchId, index, "json"));
            return await JsonSerializer.DeserializeAsync(stream, JobsJsonContext.Default.StoredChunk, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private string BatchDirectory(string batchId) => Path.Combine(directory, batchId);

    private string ChunkPath(string batchId, int index, string suffix) =>
        Path.Combine(BatchDirectory(batchId), string.Create(CultureInfo.InvariantCulture, $"{index:D8}.{suffix}"));
}
