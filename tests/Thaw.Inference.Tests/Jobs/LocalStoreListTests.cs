using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Thaw.Inference.Jobs;
using Thaw.Inference.Jobs.Local;

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

        BatchPage page = await batches.ListAsync(100, null, owner: null);

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
        Directory.Delete(Path.Combine(directory, "listing"), recursive: true);

        FilePage page = await new LocalFileStore(directory, clock).ListAsync(new FileQuery(10));

        Assert.Equal(stored.Select(f => f.Id).Reverse(), page.Files.Select(f => f.Id));
    }

    [Fact]
    public async Task Files_ListPerOwner_KeepTheOwnerContract()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));

        await Thaw.Testing.OwnerStoreContract.AssertFilesAsync(new LocalFileStore(Path.Combine(_directory, "files"), clock), clock);
    }

    [Fact]
    public async Task Batches_ListPerOwner_KeepTheOwnerContract() =>
        await Thaw.Testing.OwnerStoreContract.AssertBatchesAsync(new LocalBatchStore(Path.Combine(_directory, "batches")));

    [Fact]
    public async Task Files_DirectoryFromBeforeOwners_ListsAndReadsAsDefault()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        string directory = Path.Combine(_directory, "files");
        List<FileRecord> stored = await Thaw.Testing.FileStorePaging.FillAsync(new LocalFileStore(directory, clock), clock, 3);
        // The layout before owners: records without 'owner' and an index/ that names none.
        foreach (FileRecord file in stored)
        {
            string meta = Path.Combine(directory, file.Id + ".json");
            await File.WriteAllTextAsync(meta, WithoutOwner(await File.ReadAllTextAsync(meta)));
            string entry = Path.Combine(directory, "index", file.Purpose, FileIndex.Name(file, ascending: true));
            Directory.CreateDirectory(Path.GetDirectoryName(entry)!);
            await File.WriteAllBytesAsync(entry, []);
        }

        Directory.Delete(Path.Combine(directory, "listing"), recursive: true);
        var store = new LocalFileStore(directory, clock);

        FilePage page = await store.ListAsync(new FileQuery(2));
        FilePage rest = await store.ListAsync(new FileQuery(2, After: page.Files[^1].Id));

        Assert.Equal(stored.Select(f => f.Id).Reverse(), page.Files.Concat(rest.Files).Select(f => f.Id));
        Assert.True(page.HasMore);
        Assert.Equal(OwnerNames.Default, (await store.GetAsync(stored[0].Id))!.Owner);
        Assert.Empty((await store.ListAsync(new FileQuery(10, Owner: "team-a"))).Files);
        Assert.False(Directory.Exists(Path.Combine(directory, "index")));
    }

    [Fact]
    public async Task Batches_DirectoryFromBeforeOwners_ListsAndReadsAsDefault()
    {
        string directory = Path.Combine(_directory, "batches");
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var ids = new List<string>();
        Directory.CreateDirectory(directory);
        for (int i = 0; i < 3; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            var batch = new BatchRecord { Id = JobIds.NewBatchId(clock), Endpoint = "/v1/embeddings", InputFileId = "file-x", CompletionWindow = "24h", CreatedAt = i };
            string json = JsonSerializer.Serialize(new { version = 1, batch = JsonNode.Parse(WithoutOwner(JsonSerializer.Serialize(batch, JobsJson.BatchRecord))) });
            await File.WriteAllTextAsync(Path.Combine(directory, batch.Id + ".json"), json);
            ids.Add(batch.Id);
        }

        var store = new LocalBatchStore(directory);
        List<BatchPage> pages = await Thaw.Testing.OwnerStoreContract.AllPagesAsync(store, 2, OwnerNames.Default);

        Assert.Equal(Enumerable.Reverse(ids), pages.SelectMany(p => p.Batches).Select(b => b.Id));
        Assert.Equal(OwnerNames.Default, (await store.GetAsync(ids[0]))!.Batch.Owner);
        Assert.Empty((await store.ListAsync(10, null, "team-a")).Batches);
    }

    private static string WithoutOwner(string json)
    {
        JsonObject record = JsonNode.Parse(json)!.AsObject();
        Assert.True(record.Remove("owner"), "the record had no owner to remove: the test would prove nothing");
        return record.ToJsonString();
    }
}
