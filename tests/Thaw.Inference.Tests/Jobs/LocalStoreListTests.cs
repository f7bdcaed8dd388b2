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
        FileRecord damaged = await files.PutAsync(new FileUpload("in.jsonl", FilePurposes.Batch, 100), new MemoryStream("{}\n"u8.ToArray()));
        await File.WriteAllTextAsync(Path.Combine(_directory, "files", damaged.Id + ".json"), "not json", Encoding.UTF8);

        FilePage listed = await files.ListAsync(new FileQuery(100));

        Assert.Equal([stored.Id], listed.Files.Select(f => f.Id));
    }

    [Theory]
    [MemberData(nameof(Thaw.Testing.FileStorePaging.Contracts), MemberType = typeof(Thaw.Testing.FileStorePaging))]
    public async Task Files_KeepTheStoreContractOnTheIndexFiles(string contract)
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));

        await Thaw.Testing.FileStorePaging.AssertAsync(contract, new LocalFileStore(Path.Combine(_directory, "files"), clock), clock);
    }

    [Fact]
    public async Task FilesList_DirectoryFromBeforeTheIndex_IsIndexedOnItsFirstList()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        string directory = Path.Combine(_directory, "files");
        List<FileRecord> stored = await Thaw.Testing.FileStorePaging.FillAsync(new LocalFileStore(directory, clock), clock, 3);
        Directory.Delete(Path.Combine(directory, "index"), recursive: true);

        FilePage page = await new LocalFileStore(directory, clock).ListAsync(new FileQuery(10));

        Assert.Equal(stored.Select(f => f.Id).Reverse(), page.Files.Select(f => f.Id));
    }
}
