using System.ClientModel;
using System.Net.Http.Headers;
using OpenAI.Batch;
using OpenAI.Files;
using Thaw.Testing;

namespace Thaw.Http.Tests.Conformance;

/// <summary>
/// Files and batches belong to the owner of the API key that made them (issue 16), through the official OpenAI SDK:
/// each owner lists only its own, through every page; another owner's id answers 404 exactly like an unknown one; keys
/// of one owner share; the keys of Thaw:ApiKeys are the owner 'default', which also holds records from before owners.
/// </summary>
public sealed class OwnersConformanceTests : IAsyncLifetime
{
    private const string LegacyFileId = "file-legacy0001";

    private LoopbackServer _server = null!;

    public async Task InitializeAsync()
    {
        string jobs = Path.Combine(Path.GetTempPath(), "thaw-owners-tests", Guid.NewGuid().ToString("N"));
        // A file stored before owners: its record names none, and the index it had named none either.
        string files = Path.Combine(jobs, "files");
        Directory.CreateDirectory(Path.Combine(files, "index", "batch"));
        byte[] line = Encoding.UTF8.GetBytes(BatchJobs.Line("old", new { input = "x" }) + "\n");
        await File.WriteAllBytesAsync(Path.Combine(files, LegacyFileId + ".data"), line);
        await File.WriteAllTextAsync(Path.Combine(files, LegacyFileId + ".json"),
            $$"""{"id":"{{LegacyFileId}}","bytes":{{line.Length}},"created_at":1700000000,"filename":"old.jsonl","purpose":"batch"}""");
        await File.WriteAllBytesAsync(Path.Combine(files, "index", "batch", "001700000000." + LegacyFileId), []);
        _server = await ThawApiServer.StartAsync(new()
        {
            ["Thaw:Jobs:Directory"] = jobs,
            ["Thaw:ApiKeys:0"] = "key-default",
            ["Thaw:Owners:team-a:0"] = "key-a1",
            ["Thaw:Owners:team-a:1"] = "key-a2",
            ["Thaw:Owners:team-b:0"] = "key-b",
        });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TwoOwners_EachListsOnlyItsOwnFilesAndBatches_ThroughEveryPage()
    {
        List<string> filesOfA = [await UploadAsync("key-a1"), await UploadAsync("key-a1"), await UploadAsync("key-a1")];
        List<string> filesOfB = [await UploadAsync("key-b"), await UploadAsync("key-b")];
        List<string> batchesOfA = [await CreateBatchAsync("key-a1", filesOfA[0]), await CreateBatchAsync("key-a1", filesOfA[1]), await CreateBatchAsync("key-a1", filesOfA[2])];
        List<string> batchesOfB = [await CreateBatchAsync("key-b", filesOfB[0]), await CreateBatchAsync("key-b", filesOfB[1])];

        Assert.Equal(Enumerable.Reverse(filesOfA), await AllFilePagesAsync("key-a1"));
        Assert.Equal(Enumerable.Reverse(filesOfB), await AllFilePagesAsync("key-b"));
        Assert.Equal(Enumerable.Reverse(batchesOfA), await AllBatchesAsync("key-a1"));
        Assert.Equal(Enumerable.Reverse(batchesOfB), await AllBatchesAsync("key-b"));
        Assert.Equal(filesOfA.Order(), (await Files("key-a1").GetFilesAsync(FilePurpose.Batch)).Value.Select(f => f.Id).Order());
        Assert.Equal([LegacyFileId], (await Files("key-default").GetFilesAsync()).Value.Select(f => f.Id));
        Assert.Empty(await AllBatchesAsync("key-default"));
    }

    [Fact]
    public async Task AnotherOwnersIds_Answer404ExactlyLikeUnknownIds()
    {
        string file = await UploadAsync("key-a1");
        string batch = await CreateBatchAsync("key-a1", file);
        OpenAIFileClient files = Files("key-b");
        BatchClient batches = Batches("key-b");

        AssertSame404(await RefusedAsync(() => files.GetFileAsync(file)), await RefusedAsync(() => files.GetFileAsync("file-nope")), file, "file-nope");
        AssertSame404(await RefusedAsync(() => files.DownloadFileAsync(file)), await RefusedAsync(() => files.DownloadFileAsync("file-nope")), file, "file-nope");
        AssertSame404(await RefusedAsync(() => files.DeleteFileAsync(file)), await RefusedAsync(() => files.DeleteFileAsync("file-nope")), file, "file-nope");
        AssertSame404(await RefusedAsync(() => batches.GetBatchAsync(batch, null)), await RefusedAsync(() => batches.GetBatchAsync("batch_nope", null)), batch, "batch_nope");
        AssertSame404(await RefusedAsync(() => CreateBatchAsync("key-b", file)), await RefusedAsync(() => CreateBatchAsync("key-b", "file-nope")), file, "file-nope");
        AssertSame404(await CancelAsync("key-b", batch), await CancelAsync("key-b", "batch_nope"), batch, "batch_nope");
        AssertSame404(await RefusedAsync(() => Files("key-default").GetFileAsync(file)), await RefusedAsync(() => Files("key-default").GetFileAsync("file-nope")), file, "file-nope");
        AssertSame404(await RefusedAsync(() => Files("key-a1").GetFileAsync(LegacyFileId)), await RefusedAsync(() => Files("key-a1").GetFileAsync("file-nope")), LegacyFileId, "file-nope");

        // Nothing of A's changed: its file is there and its batch still waits (no worker runs here), and A can cancel it.
        Assert.Equal(file, (await Files("key-a1").GetFileAsync(file)).Value.Id);
        Assert.Equal("validating", Status(await Batches("key-a1").GetBatchAsync(batch, null)));
        (int status, string cancelled) = await CancelAsync("key-a1", batch);
        Assert.Equal(200, status);
        Assert.Equal("cancelling", JsonDocument.Parse(cancelled).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task TwoKeysOfOneOwner_ShareFilesAndBatches()
    {
        string file = await UploadAsync("key-a1");
        string batch = await CreateBatchAsync("key-a2", file);
        OpenAIFileClient other = Files("key-a2");

        Assert.Contains(file, await AllFilePagesAsync("key-a2"));
        Assert.Equal("x", JsonDocument.Parse((await other.DownloadFileAsync(file)).Value).RootElement.GetProperty("body").GetProperty("input").GetString());
        Assert.Equal(batch, JsonDocument.Parse((await Batches("key-a1").GetBatchAsync(batch, null)).GetRawResponse().Content).RootElement.GetProperty("id").GetString());
        Assert.Contains(batch, await AllBatchesAsync("key-a1"));
        Assert.True((await other.DeleteFileAsync(file)).Value.Deleted);
        Assert.DoesNotContain(file, await AllFilePagesAsync("key-a1"));
    }

    [Fact]
    public async Task ApiKeysKey_IsTheDefaultOwner_AndSeesRecordsFromBeforeOwners()
    {
        OpenAIFileClient files = Files("key-default");

        OpenAIFile legacy = (await files.GetFileAsync(LegacyFileId)).Value;
        string batch = await CreateBatchAsync("key-default", LegacyFileId);

        Assert.Equal("old.jsonl", legacy.Filename);
        Assert.Equal("old", JsonDocument.Parse((await files.DownloadFileAsync(LegacyFileId)).Value).RootElement.GetProperty("custom_id").GetString());
        Assert.Equal([batch], await AllBatchesAsync("key-default"));
        Assert.DoesNotContain(LegacyFileId, await AllFilePagesAsync("key-a1"));
    }

    [Fact]
    public async Task Answers_CarryNoOwnerField()
    {
        string file = await UploadAsync("key-a1");
        string batch = await CreateBatchAsync("key-a1", file);

        foreach (string path in (string[])[$"/v1/files/{file}", "/v1/files", $"/v1/batches/{batch}", "/v1/batches"])
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "key-a1");
            using HttpResponseMessage response = await _server.Client.SendAsync(request);
            string body = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains(file[5..], body, StringComparison.Ordinal);
            Assert.DoesNotContain("owner", body, StringComparison.Ordinal);
            Assert.DoesNotContain("team-a", body, StringComparison.Ordinal);
        }
    }

    private OpenAIFileClient Files(string key) => OpenAiClients.For(_server.Client, key).GetOpenAIFileClient();

    private BatchClient Batches(string key) => OpenAiClients.For(_server.Client, key).GetBatchClient();

    private async Task<string> UploadAsync(string key) =>
        (await Files(key).UploadFileAsync(BinaryData.FromString(BatchJobs.Line("a", new { input = "x" })), "input.jsonl", FileUploadPurpose.Batch)).Value.Id;

    private async Task<string> CreateBatchAsync(string key, string fileId)
    {
        BinaryContent create = BinaryContent.Create(BinaryData.FromObjectAsJson(new { input_file_id = fileId, endpoint = "/v1/embeddings", completion_window = "24h" }));
        return (await Batches(key).CreateBatchAsync(create, waitUntilCompleted: false)).BatchId;
    }

    // The SDK cancels through an operation it rehydrates, which reads the batch first; a cancel by raw HTTP reaches the route itself.
    private async Task<(int Status, string Body)> CancelAsync(string key, string batchId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/batches/{batchId}/cancel");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using HttpResponseMessage response = await _server.Client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The status and error body of an SDK call that must fail.</summary>
    private static async Task<(int Status, string Body)> RefusedAsync<T>(Func<Task<T>> call)
    {
        ClientResultException refused = await Assert.ThrowsAsync<ClientResultException>(async () => await call());
        return (refused.Status, refused.GetRawResponse()!.Content.ToString());
    }

    /// <summary>Every page of <c>GET /v1/files</c> through the SDK, one file a page, following <c>after</c>.</summary>
    private async Task<List<string>> AllFilePagesAsync(string key)
    {
        var ids = new List<string>();
        string? after = null;
        for (int pages = 0; ; pages++)
        {
            Assert.True(pages < 100, "the pages never end");
            ClientResult page = await Files(key).GetFilesAsync(null, 1, "desc", after, null);
            using JsonDocument body = JsonDocument.Parse(page.GetRawResponse().Content);
            ids.AddRange(body.RootElement.GetProperty("data").EnumerateArray().Select(f => f.GetProperty("id").GetString()!));
            if (!body.RootElement.GetProperty("has_more").GetBoolean())
            {
                return ids;
            }

            after = ids[^1];
        }
    }

    /// <summary>Every batch through the SDK's own paging, one batch a page.</summary>
    private async Task<List<string>> AllBatchesAsync(string key)
    {
        var ids = new List<string>();
        await foreach (BatchJob batch in Batches(key).GetBatchesAsync(new BatchCollectionOptions { PageSizeLimit = 1 }))
        {
            ids.Add(batch.Id);
            Assert.True(ids.Count < 100, "the pages never end");
        }

        return ids;
    }

    private static string Status(ClientResult result) =>
        JsonDocument.Parse(result.GetRawResponse().Content).RootElement.GetProperty("status").GetString()!;

    /// <summary>Both answers are 404, and their error bodies are the same once the ids are swapped.</summary>
    private static void AssertSame404((int Status, string Body) other, (int Status, string Body) unknown, string otherId, string unknownId)
    {
        Assert.Equal(404, other.Status);
        Assert.Equal(404, unknown.Status);
        Assert.Equal(unknown.Body, other.Body.Replace(otherId, unknownId, StringComparison.Ordinal));
    }
}
