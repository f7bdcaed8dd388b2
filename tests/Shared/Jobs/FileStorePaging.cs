using Microsoft.Extensions.Time.Testing;
using Thaw.Inference.Jobs;

namespace Thaw.Testing;

/// <summary>
/// The paging contract every <see cref="IFileStore"/> keeps, run against each store: pages in created_at order in
/// both directions, every file exactly once, the purpose filter, a rewritten file listed once at its new time.
/// </summary>
internal static class FileStorePaging
{
    /// <summary>The contracts below by name, for a theory per store.</summary>
    public static TheoryData<string> Contracts => ["paging", "expiry"];

    /// <summary>Checks one contract on an empty store.</summary>
    public static Task AssertAsync(string contract, IFileStore store, FakeTimeProvider clock) => contract switch
    {
        "paging" => AssertContractAsync(store, clock),
        "expiry" => AssertExpiryAsync(store, clock),
        _ => throw new ArgumentOutOfRangeException(nameof(contract), contract, "no such contract"),
    };

    /// <summary>Stores <paramref name="count"/> files a second apart (every fourth one batch output) and returns them oldest first.</summary>
    public static async Task<List<FileRecord>> FillAsync(IFileStore store, FakeTimeProvider clock, int count)
    {
        var stored = new List<FileRecord>();
        for (int i = 0; i < count; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            string purpose = i % 4 == 3 ? FilePurposes.BatchOutput : FilePurposes.Batch;
            stored.Add(await store.PutAsync(new FileUpload($"f{i}.jsonl", purpose, 100), new MemoryStream("{}\n"u8.ToArray())));
        }

        return stored;
    }

    /// <summary>Follows <c>after</c> from page to page, as an SDK's auto-paging does, and returns the pages.</summary>
    public static async Task<List<FilePage>> AllPagesAsync(IFileStore store, FileQuery first)
    {
        var pages = new List<FilePage>();
        FileQuery query = first;
        while (true)
        {
            FilePage page = await store.ListAsync(query);
            pages.Add(page);
            Assert.True(pages.Count < 1000, "the pages never end");
            if (!page.HasMore)
            {
                return pages;
            }

            query = query with { After = page.Files[^1].Id };
        }
    }

    public static async Task AssertContractAsync(IFileStore store, FakeTimeProvider clock)
    {
        List<FileRecord> stored = await FillAsync(store, clock, 27);

        List<FilePage> descending = await AllPagesAsync(store, new FileQuery(5));
        List<FilePage> ascending = await AllPagesAsync(store, new FileQuery(4, Ascending: true));
        List<FilePage> outputs = await AllPagesAsync(store, new FileQuery(2, Purpose: FilePurposes.BatchOutput));

        Assert.Equal(6, descending.Count);
        Assert.All(descending.SkipLast(1), p => Assert.Equal(5, p.Files.Count));
        Assert.Equal(stored.Select(f => f.Id).Reverse(), descending.SelectMany(p => p.Files).Select(f => f.Id));
        Assert.Equal(stored.Select(f => f.Id), ascending.SelectMany(p => p.Files).Select(f => f.Id));
        Assert.Equal(stored.Where(f => f.Purpose == FilePurposes.BatchOutput).Select(f => f.Id).Reverse(), outputs.SelectMany(p => p.Files).Select(f => f.Id));
        Assert.Equal(stored[0], ascending[0].Files[0]);
        Assert.Empty((await store.ListAsync(new FileQuery(5, After: "file-nope"))).Files);

        // A file written again under its id (a redone batch output) moves to its new time, listed once.
        clock.Advance(TimeSpan.FromSeconds(1));
        await store.PutAsync(new FileUpload("again.jsonl", FilePurposes.Batch, 100, stored[3].Id), new MemoryStream("{}\n"u8.ToArray()));
        FilePage newest = await store.ListAsync(new FileQuery(100));
        Assert.Equal(stored[3].Id, newest.Files[0].Id);
        Assert.Equal(27, newest.Files.Count);
        Assert.False(newest.HasMore);

        // A deleted file leaves the list in both orders.
        Assert.True(await store.DeleteAsync(stored[5].Id));
        Assert.DoesNotContain(stored[5].Id, (await store.ListAsync(new FileQuery(100))).Files.Select(f => f.Id));
        Assert.DoesNotContain(stored[5].Id, (await store.ListAsync(new FileQuery(100, Ascending: true))).Files.Select(f => f.Id));
        Assert.False(await store.DeleteAsync(stored[5].Id));
    }

    /// <summary>The retention contract: the expiry index names exactly the files past their expires_at, soonest first.</summary>
    public static async Task AssertExpiryAsync(IFileStore store, FakeTimeProvider clock)
    {
        FileRecord hour = await store.PutAsync(new FileUpload("a.jsonl", FilePurposes.Batch, 100, ExpiresAfter: TimeSpan.FromHours(1)), new MemoryStream("{}\n"u8.ToArray()));
        FileRecord twoHours = await store.PutAsync(new FileUpload("b.jsonl", FilePurposes.BatchOutput, 100, ExpiresAfter: TimeSpan.FromHours(2)), new MemoryStream("{}\n"u8.ToArray()));
        FileRecord kept = await store.PutAsync(new FileUpload("c.jsonl", FilePurposes.Batch, 100), new MemoryStream("{}\n"u8.ToArray()));

        Assert.Equal(hour.CreatedAt + 3600, hour.ExpiresAt);
        Assert.Equal(hour.ExpiresAt, (await store.GetAsync(hour.Id))!.ExpiresAt);
        Assert.Equal(twoHours.ExpiresAt, (await store.ListAsync(new FileQuery(10, Purpose: FilePurposes.BatchOutput))).Files.Single().ExpiresAt);
        Assert.Null((await store.GetAsync(kept.Id))!.ExpiresAt);
        Assert.Empty(await store.ExpiredAsync(clock.GetUtcNow().AddSeconds(3599), 10));
        Assert.Equal([hour.Id], await store.ExpiredAsync(clock.GetUtcNow().AddHours(1), 10));
        Assert.Equal([hour.Id, twoHours.Id], await store.ExpiredAsync(clock.GetUtcNow().AddDays(1), 10));
        Assert.Equal([hour.Id], await store.ExpiredAsync(clock.GetUtcNow().AddDays(1), 1));

        // Deleted, or rewritten without an expiry: no longer due.
        Assert.True(await store.DeleteAsync(hour.Id));
        await store.PutAsync(new FileUpload("b.jsonl", FilePurposes.BatchOutput, 100, twoHours.Id), new MemoryStream("{}\n"u8.ToArray()));
        Assert.Empty(await store.ExpiredAsync(clock.GetUtcNow().AddDays(1), 10));

        // An expiry set once the file is stored (expires_after sent after the file).
        FileRecord set = (await store.SetExpiryAsync(kept.Id, TimeSpan.FromHours(1)))!;
        Assert.Equal(kept.CreatedAt + 3600, set.ExpiresAt);
        Assert.Equal(set, await store.GetAsync(kept.Id));
        Assert.Equal([kept.Id], await store.ExpiredAsync(clock.GetUtcNow().AddDays(1), 10));
        Assert.Equal(set.ExpiresAt, (await store.ListAsync(new FileQuery(10, Purpose: FilePurposes.Batch))).Files.Single().ExpiresAt);
        Assert.Null(await store.SetExpiryAsync("file-nope", TimeSpan.FromHours(1)));
    }
}
