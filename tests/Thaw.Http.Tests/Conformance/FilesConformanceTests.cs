using System.ClientModel;
using OpenAI.Files;
using Thaw.Testing;

namespace Thaw.Http.Tests.Conformance;

/// <summary>
/// The Files API through the official OpenAI .NET SDK (upload, retrieve, list by purpose, delete) and, where the SDK
/// hides the wire (its list reads one page and sends no limit or after), paging by raw HTTP through every page.
/// </summary>
public sealed class FilesConformanceTests : IAsyncLifetime
{
    private LoopbackServer _server = null!;

    public async Task InitializeAsync() => _server = await ThawApiServer.StartAsync(
        new() { ["Thaw:Jobs:Directory"] = Path.Combine(Path.GetTempPath(), "thaw-files-tests", Guid.NewGuid().ToString("N")) });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Sdk_UploadRetrieveListDelete_BehaveAsAgainstOpenAi()
    {
        OpenAIFileClient client = OpenAiClients.For(_server.Client).GetOpenAIFileClient();
        BinaryData line = BinaryData.FromString(BatchJobs.Line("a", new { input = "x" }));

        OpenAIFile uploaded = (await client.UploadFileAsync(line, "input.jsonl", FileUploadPurpose.Batch)).Value;
        OpenAIFile retrieved = (await client.GetFileAsync(uploaded.Id)).Value;
        OpenAIFileCollection batchFiles = (await client.GetFilesAsync(FilePurpose.Batch)).Value;
        OpenAIFileCollection outputs = (await client.GetFilesAsync(FilePurpose.BatchOutput)).Value;
        FileDeletionResult deleted = (await client.DeleteFileAsync(uploaded.Id)).Value;

        Assert.Equal(uploaded.Id, retrieved.Id);
        Assert.Equal("input.jsonl", retrieved.Filename);
        Assert.Equal([uploaded.Id], batchFiles.Select(f => f.Id));
        Assert.Empty(outputs);
        Assert.True(deleted.Deleted);
        Assert.Equal(uploaded.Id, deleted.FileId);
        ClientResultException gone = await Assert.ThrowsAsync<ClientResultException>(() => client.GetFileAsync(uploaded.Id));
        Assert.Equal(404, gone.Status);
        ClientResultException again = await Assert.ThrowsAsync<ClientResultException>(() => client.DeleteFileAsync(uploaded.Id));
        Assert.Equal(404, again.Status);
        Assert.Contains(uploaded.Id, again.Message, StringComparison.Ordinal);
        Assert.Empty((await client.GetFilesAsync()).Value);
    }

    [Fact]
    public async Task List_PagesThroughEveryFileInBothOrdersWithCursors()
    {
        var ids = new List<string>();
        for (int i = 0; i < 26; i++)
        {
            ids.Add(await BatchJobs.UploadFileIdAsync(_server.Client, BatchJobs.Line($"r{i}", new { input = "x" })));
        }

        List<JsonElement> newestFirst = await AllPagesAsync("limit=4");
        List<JsonElement> oldestFirst = await AllPagesAsync("limit=7&order=asc&purpose=batch");
        JsonElement firstPage = newestFirst[0];

        Assert.Equal(7, newestFirst.Count);
        Assert.Equal(Enumerable.Reverse(ids), newestFirst.SelectMany(Ids));
        Assert.Equal(ids, oldestFirst.SelectMany(Ids));
        Assert.Equal(ids[^1], firstPage.GetProperty("first_id").GetString());
        Assert.Equal(ids[^4], firstPage.GetProperty("last_id").GetString());
        Assert.True(firstPage.GetProperty("has_more").GetBoolean());
        Assert.False(newestFirst[^1].GetProperty("has_more").GetBoolean());
        Assert.Equal(2, newestFirst[^1].GetProperty("data").GetArrayLength());
        Assert.Equal(0, (await PageAsync("purpose=batch_output")).GetProperty("data").GetArrayLength());
        Assert.Equal(26, (await PageAsync("")).GetProperty("data").GetArrayLength());
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=10001", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("order=sideways", "order")]
    public async Task List_BadParameter_Answers400NamingIt(string query, string param)
    {
        using HttpResponseMessage response = await _server.Client.GetAsync($"/v1/files?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(param, body.RootElement.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Delete_OnTheWire_IsOpenAisObject_AndAllowedForAQueuedBatchsInput()
    {
        string fileId = await BatchJobs.UploadFileIdAsync(_server.Client, BatchJobs.Line("a", new { input = "x" }));
        using HttpResponseMessage created = await BatchJobs.CreateAsync(_server.Client, fileId);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);

        using HttpResponseMessage response = await _server.Client.DeleteAsync($"/v1/files/{fileId}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["id", "object", "deleted"], body.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(fileId, body.RootElement.GetProperty("id").GetString());
        Assert.Equal("file", body.RootElement.GetProperty("object").GetString());
        Assert.True(body.RootElement.GetProperty("deleted").GetBoolean());
    }

    [Fact]
    public async Task Upload_FileNameOverTheLimit_Answers400NamingIt_AtTheLimitIsKept()
    {
        OpenAIFileClient client = OpenAiClients.For(_server.Client).GetOpenAIFileClient();
        BinaryData line = BinaryData.FromString(BatchJobs.Line("a", new { input = "x" }));
        string longest = new string('n', Endpoints.FilesEndpoint.MaxFilenameBytes - 6) + ".jsonl";

        ClientResultException e = await Assert.ThrowsAsync<ClientResultException>(() =>
            client.UploadFileAsync(line, "n" + longest, FileUploadPurpose.Batch));
        OpenAIFile kept = (await client.UploadFileAsync(line, longest, FileUploadPurpose.Batch)).Value;

        Assert.Equal(400, e.Status);
        Assert.Contains($"the limit is {Endpoints.FilesEndpoint.MaxFilenameBytes}", e.Message, StringComparison.Ordinal);
        Assert.Equal(longest, (await client.GetFileAsync(kept.Id)).Value.Filename);
        Assert.Equal([kept.Id], (await client.GetFilesAsync()).Value.Select(f => f.Id));
    }

    [Fact]
    public async Task Upload_ExpiresAfterSentAfterTheFile_SetsExpiresAt()
    {
        using HttpResponseMessage response = await UploadAsync(("expires_after[anchor]", "created_at"), ("expires_after[seconds]", "3600"));

        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        JsonElement file = JsonDocument.Parse(text).RootElement;
        Assert.Equal(file.GetProperty("created_at").GetInt64() + 3600, file.GetProperty("expires_at").GetInt64());
        JsonElement listed = (await PageAsync("")).GetProperty("data")[0];
        Assert.Equal(file.GetProperty("expires_at").GetInt64(), listed.GetProperty("expires_at").GetInt64());
    }

    [Theory]
    [InlineData("created_at", "3599", "expires_after[seconds]")]
    [InlineData("created_at", "2592001", "expires_after[seconds]")]
    [InlineData("last_accessed_at", "3600", "expires_after[anchor]")]
    [InlineData(null, "3600", "expires_after")]
    public async Task Upload_BadExpiresAfter_Answers400NamingIt_AndStoresNothing(string? anchor, string seconds, string param)
    {
        using HttpResponseMessage response = await UploadAsync(anchor is null
            ? [("expires_after[seconds]", seconds)]
            : [("expires_after[anchor]", anchor), ("expires_after[seconds]", seconds)]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(param, body.RootElement.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal(0, (await PageAsync("")).GetProperty("data").GetArrayLength());
    }

    /// <summary>An upload in the JavaScript SDK's order: the file, then purpose and expires_after.</summary>
    private async Task<HttpResponseMessage> UploadAsync(params (string Name, string Value)[] fields)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(BatchJobs.Line("a", new { input = "x" })));
        form.Add(file, "file", "input.jsonl");
        form.Add(new StringContent("batch"), "purpose");
        foreach ((string name, string value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        return await _server.Client.PostAsync("/v1/files", form);
    }

    private static IEnumerable<string> Ids(JsonElement page) => page.GetProperty("data").EnumerateArray().Select(f => f.GetProperty("id").GetString()!);

    private async Task<JsonElement> PageAsync(string query) =>
        JsonDocument.Parse(await _server.Client.GetStringAsync($"/v1/files?{query}")).RootElement;

    private async Task<List<JsonElement>> AllPagesAsync(string query)
    {
        var pages = new List<JsonElement> { await PageAsync(query) };
        while (pages[^1].GetProperty("has_more").GetBoolean())
        {
            Assert.True(pages.Count < 100, "the pages never end");
            pages.Add(await PageAsync($"{query}&after={pages[^1].GetProperty("last_id").GetString()}"));
        }

        return pages;
    }
}
