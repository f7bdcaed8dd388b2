using System.Text;
using Thaw.Inference.Jobs;

namespace Thaw.Inference.Tests.Jobs;

/// <summary>A list over local records must skip one it cannot read instead of failing for everyone (issue 11, item 2).</summary>
public sealed class LocalStoreListTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("thaw-list-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task BatchesList_DamagedRecordOnDisk_IsSkipped()
    {
        var batches = new LocalBatchStore(Path.Combine(_directory, "batches"));
        var batch = new BatchRecord { Id = JobIds.NewBatchId(TimeProvider.System), Endpoint = "/v1/embeddings", InputFileId = "file-x", CompletionWindow = "24h", CreatedAt = 1, ExpiresAt = 2 };
        await batches.CreateAsync(batch);
        await File.WriteAllTextAsync(Path.Combine(_directory, "batches", "batch_damaged.json"), "{\"version\": 1, \"batch\": ", Encoding.UTF8);

        BatchPage page = await batches.ListAsync(100, null);

        Assert.Equal([batch.Id], page.Batches.Select(b => b.Id));
    }

    [Fact]
    public async Task FilesList_DamagedMetadataOnDisk_IsSkipped()
    {
        var files = new LocalFileStore(Path.Combine(_directory, "files"), TimeProvider.System);
        FileRecord stored = await files.PutAsync(new FileUpload("in.jsonl", FilePurposes.Batch, 100), new MemoryStream("{}\n"u8.ToArray()));
        await File.WriteAllTextAsync(Path.Combine(_directory, "files", "file-damaged.json"), "not json", Encoding.UTF8);

        IReadOnlyList<FileRecord> listed = await files.ListAsync();

        Assert.Equal([stored.Id], listed.Select(f => f.Id));
    }
}
