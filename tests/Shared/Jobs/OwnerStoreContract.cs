using Microsoft.Extensions.Time.Testing;
using Thaw.Inference.Jobs;

namespace Thaw.Testing;

/// <summary>
/// The owner contract every file and batch store keeps (issue 16): an owner's list pages through exactly that owner's
/// records in both orders, a cursor naming another owner's record gives an empty page, and reads keep the owner.
/// </summary>
internal static class OwnerStoreContract
{
    private static readonly string[] Owners = ["team-a", "team-b", OwnerNames.Default];

    public static async Task AssertFilesAsync(IFileStore store, FakeTimeProvider clock)
    {
        var stored = new List<FileRecord>();
        for (int i = 0; i < 12; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            string owner = Owners[i % 3 == 2 ? 2 : i % 2];
            stored.Add(await store.PutAsync(new FileUpload($"f{i}.jsonl", FilePurposes.Batch, 100, Owner: owner), new MemoryStream("{}\n"u8.ToArray())));
        }

        foreach (string owner in Owners)
        {
            string[] own = [.. stored.Where(f => f.Owner == owner).Select(f => f.Id)];
            List<FilePage> newest = await FileStorePaging.AllPagesAsync(store, new FileQuery(2, Owner: owner));
            List<FilePage> oldest = await FileStorePaging.AllPagesAsync(store, new FileQuery(3, Ascending: true, Purpose: FilePurposes.Batch, Owner: owner));

            Assert.Equal(4, own.Length);
            Assert.Equal(own.Reverse(), newest.SelectMany(p => p.Files).Select(f => f.Id));
            Assert.Equal(2, newest.Count);
            Assert.Equal(own, oldest.SelectMany(p => p.Files).Select(f => f.Id));
            Assert.All(newest.SelectMany(p => p.Files), f => Assert.Equal(owner, f.Owner));
            Assert.Equal(owner, (await store.GetAsync(own[0]))!.Owner);
        }

        FileRecord other = stored.First(f => f.Owner == "team-b");
        Assert.Empty((await store.ListAsync(new FileQuery(10, After: other.Id, Owner: "team-a"))).Files);
        Assert.Empty((await store.ListAsync(new FileQuery(10, Owner: "team-c"))).Files);

        // A file written again under its id keeps the owner it is written for, listed once.
        await store.PutAsync(new FileUpload("again.jsonl", FilePurposes.BatchOutput, 100, other.Id, Owner: "team-b"), new MemoryStream("{}\n"u8.ToArray()));
        Assert.Single((await store.ListAsync(new FileQuery(10, Owner: "team-b"))).Files, f => f.Id == other.Id);
        Assert.True(await store.DeleteAsync(other.Id));
        Assert.DoesNotContain(other.Id, (await store.ListAsync(new FileQuery(10, Owner: "team-b"))).Files.Select(f => f.Id));
    }

    public static async Task AssertBatchesAsync(IBatchStore store)
    {
        // Ids are version-7 GUIDs: a millisecond apart, their order is their creation order.
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var created = new List<BatchRecord>();
        for (int i = 0; i < 9; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            var batch = new BatchRecord
            {
                Id = JobIds.NewBatchId(clock),
                Endpoint = "/v1/embeddings",
                InputFileId = "file-x",
                CompletionWindow = "24h",
                CreatedAt = i,
                Owner = Owners[i % 3],
            };
            await store.CreateAsync(batch);
            created.Add(batch);
        }

        foreach (string owner in Owners)
        {
            string[] own = [.. created.Where(b => b.Owner == owner).Select(b => b.Id).Reverse()];
            List<BatchPage> pages = await AllPagesAsync(store, 2, owner);

            Assert.Equal(own, pages.SelectMany(p => p.Batches).Select(b => b.Id));
            Assert.Equal([true, false], pages.Select(p => p.HasMore));
            Assert.All(pages.SelectMany(p => p.Batches), b => Assert.Equal(owner, b.Owner));
            Assert.Equal(owner, (await store.GetAsync(own[0]))!.Batch.Owner);
        }

        Assert.Equal(created.Select(b => b.Id).Reverse(), (await AllPagesAsync(store, 4, owner: null)).SelectMany(p => p.Batches).Select(b => b.Id));
        Assert.Empty((await store.ListAsync(10, created[1].Id, "team-a")).Batches);
        Assert.Empty((await store.ListAsync(10, null, "team-c")).Batches);
    }

    public static async Task<List<BatchPage>> AllPagesAsync(IBatchStore store, int limit, string? owner)
    {
        var pages = new List<BatchPage>();
        string? after = null;
        while (true)
        {
            BatchPage page = await store.ListAsync(limit, after, owner);
            pages.Add(page);
            Assert.True(pages.Count < 1000, "the pages never end");
            if (!page.HasMore)
            {
                return pages;
            }

            after = page.Batches[^1].Id;
        }
    }
}
