using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Thaw.Azure.Jobs;
using Thaw.Inference.Jobs;
using Thaw.Testing;

namespace Thaw.Azure.Tests.Jobs;

/// <summary>The blob stores list per owner (issue 16), and records and index entries from before owners list as default.</summary>
public sealed class BlobOwnerTests(Azurite azurite) : IClassFixture<Azurite>
{
    private readonly AzureJobs _jobs = new(azurite);

    [Fact]
    public async Task Files_ListPerOwner_KeepTheOwnerContract()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));

        await OwnerStoreContract.AssertFilesAsync(new BlobFileStore(_jobs.Container, clock), clock);
    }

    [Fact]
    public async Task Batches_ListPerOwner_KeepTheOwnerContract() =>
        await OwnerStoreContract.AssertBatchesAsync(_jobs.Batches);

    [Fact]
    public async Task Files_IndexFromBeforeOwners_MovesUnderDefaultAndListsInBothOrders()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        List<FileRecord> stored = await FileStorePaging.FillAsync(new BlobFileStore(_jobs.Container, clock), clock, 3);
        BlobContainerClient container = await _jobs.Container.GetAsync();
        // The layout before owners: no 'owner' on the file or its entries, entries under files-index/asc|desc/.
        foreach (FileRecord file in stored)
        {
            BlobClient blob = container.GetBlobClient("files/" + file.Id);
            IDictionary<string, string> metadata = (await blob.GetPropertiesAsync()).Value.Metadata;
            Assert.True(metadata.Remove("owner"), "the file had no owner to remove: the test would prove nothing");
            await blob.SetMetadataAsync(metadata);
            foreach (string order in (string[])["asc", "desc"])
            {
                string name = FileIndex.Name(file, ascending: order == "asc");
                BlobClient entry = container.GetBlobClient($"files-index/owner/default/{order}/{name}");
                IDictionary<string, string> indexed = (await entry.GetPropertiesAsync()).Value.Metadata;
                indexed.Remove("owner");
                await container.GetBlobClient($"files-index/{order}/{name}").UploadAsync(BinaryData.Empty, new BlobUploadOptions { Metadata = indexed });
                await entry.DeleteAsync();
            }
        }

        var store = new BlobFileStore(_jobs.Container, clock);
        List<FilePage> newest = await FileStorePaging.AllPagesAsync(store, new FileQuery(2));
        List<FilePage> oldest = await FileStorePaging.AllPagesAsync(store, new FileQuery(2, Ascending: true));

        Assert.Equal(stored.Select(f => f.Id).Reverse(), newest.SelectMany(p => p.Files).Select(f => f.Id));
        Assert.Equal(stored.Select(f => f.Id), oldest.SelectMany(p => p.Files).Select(f => f.Id));
        Assert.All(newest.SelectMany(p => p.Files), f => Assert.Equal(OwnerNames.Default, f.Owner));
        Assert.Equal(OwnerNames.Default, (await store.GetAsync(stored[0].Id))!.Owner);
        Assert.Empty((await store.ListAsync(new FileQuery(10, Owner: "team-a"))).Files);
        Assert.Empty(await Names(container, "files-index/asc/"));
        Assert.Empty(await Names(container, "files-index/desc/"));

        // A legacy file deleted after the move leaves the list.
        Assert.True(await store.DeleteAsync(stored[1].Id));
        Assert.Equal([stored[2].Id, stored[0].Id], (await store.ListAsync(new FileQuery(10))).Files.Select(f => f.Id));
    }

    [Fact]
    public async Task Batches_RecordsFromBeforeOwners_ListAndReadAsDefault()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        BlobContainerClient container = await _jobs.Container.GetAsync();
        var ids = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            var batch = new BatchRecord { Id = JobIds.NewBatchId(clock), Endpoint = "/v1/embeddings", InputFileId = "file-x", CompletionWindow = "24h", CreatedAt = i };
            JsonObject json = JsonNode.Parse(JsonSerializer.Serialize(batch, JobsJson.BatchRecord))!.AsObject();
            Assert.True(json.Remove("owner"), "the record had no owner to remove: the test would prove nothing");
            await container.GetBlobClient($"batches/{batch.Id}.json").UploadAsync(BinaryData.FromString(json.ToJsonString()));
            ids.Add(batch.Id);
        }

        var store = new BlobBatchStore(_jobs.Container, NullLogger<BlobBatchStore>.Instance);
        var owned = new BatchRecord { Id = JobIds.NewBatchId(TimeProvider.System), Endpoint = "/v1/embeddings", InputFileId = "file-x", CompletionWindow = "24h", CreatedAt = 9, Owner = "team-a" };
        await store.CreateAsync(owned);
        List<BatchPage> pages = await OwnerStoreContract.AllPagesAsync(store, 2, OwnerNames.Default);

        Assert.Equal(Enumerable.Reverse(ids), pages.SelectMany(p => p.Batches).Select(b => b.Id));
        Assert.Equal(OwnerNames.Default, (await store.GetAsync(ids[0]))!.Batch.Owner);
        Assert.Equal([owned.Id], (await store.ListAsync(10, null, "team-a")).Batches.Select(b => b.Id));
        Assert.Equal(4, (await store.ListAsync(10, null, owner: null)).Batches.Count);
    }

    private static async Task<List<string>> Names(BlobContainerClient container, string prefix)
    {
        var names = new List<string>();
        await foreach (BlobItem item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, CancellationToken.None))
        {
            names.Add(item.Name);
        }

        return names;
    }
}
