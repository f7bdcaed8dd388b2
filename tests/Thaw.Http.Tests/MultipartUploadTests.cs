using Microsoft.Extensions.Logging;
using Thaw.Http.Endpoints;
using Thaw.Testing;

namespace Thaw.Http.Tests;

/// <summary>Uploads that are cut off, garbled or padded: 400/413 in the envelope, nothing kept, nothing logged as an error.</summary>
public sealed class MultipartUploadTests : IAsyncLifetime
{
    private const string Boundary = "thaw-test-boundary";
    private const string PurposePart = $"--{Boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n";
    private const string FilePart = $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\n\r\n{{\"custom_id\":\"a\"}}\n";

    private LoopbackServer _server = null!;

    public async Task InitializeAsync() => _server = await BatchJobs.StartServerAsync(new() { ["Thaw:Jobs:MaxFileBytes"] = "1000" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, string> MalformedBodies => new()
    {
        // The file part never reaches its closing boundary (a client that died mid-upload, a proxy that cut the body).
        { "truncated file part", PurposePart + FilePart },
        { "truncated before the file", PurposePart + $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\n" },
        { "truncated purpose", $"--{Boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbat" },
        { "garbage", "\u0001\u0002 not multipart at all \u00ff" },
        { "boundary only", $"--{Boundary}" },
        { "garbled part headers", $"--{Boundary}\r\nthis is no header\r\n\r\nbatch\r\n--{Boundary}--\r\n" },
        { "no parts", $"--{Boundary}--\r\n" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Upload_MalformedMultipart_Answers400AndLogsNoError(string name, string body)
    {
        using HttpResponseMessage response = await PostAsync(body);

        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode} {text}");
        using JsonDocument error = JsonDocument.Parse(text);
        Assert.False(string.IsNullOrEmpty(error.RootElement.GetProperty("error").GetProperty("message").GetString()));
        Assert.DoesNotContain(_server.Logs.Entries, e => e.Level >= LogLevel.Error);
        Assert.Equal(0, JsonDocument.Parse(await _server.Client.GetStringAsync("/v1/files")).RootElement.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Upload_MorePartsThanTheLimit_Answers400BeforeReadingThemAll()
    {
        string padding = string.Concat(Enumerable.Range(0, FilesEndpoint.MaxParts).Select(i =>
            $"--{Boundary}\r\nContent-Disposition: form-data; name=\"extra{i}\"\r\n\r\nx\r\n"));

        using HttpResponseMessage response = await PostAsync(PurposePart + padding + FilePart + $"\r\n--{Boundary}--\r\n");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"more than {FilesEndpoint.MaxParts} parts", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_ChunkedBodyWithAHugeIgnoredPart_Answers413()
    {
        // No Content-Length to refuse up front: the bound must hold while reading, across parts that are skipped.
        string ignored = $"--{Boundary}\r\nContent-Disposition: form-data; name=\"ignored\"\r\n\r\n{new string('x', 200_000)}\r\n";
        string multipart = PurposePart + ignored + FilePart + $"\r\n--{Boundary}--\r\n";
        byte[] chunked = Encoding.Latin1.GetBytes($"{multipart.Length:x}\r\n{multipart}\r\n0\r\n\r\n");
        byte[] head = RawHttp.Request(_server.Client.BaseAddress!, "POST", "/v1/files",
            [$"Content-Type: multipart/form-data; boundary={Boundary}", "Transfer-Encoding: chunked"]);

        RawResponse response = await RawHttp.SendAsync(_server.Client.BaseAddress!, [.. head, .. chunked], TimeSpan.FromSeconds(30));

        Assert.Equal(413, response.Status);
        Assert.Contains("request_too_large", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_WellFormed_IsStored()
    {
        using HttpResponseMessage response = await PostAsync(PurposePart + FilePart + $"\r\n--{Boundary}--\r\n");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<HttpResponseMessage> PostAsync(string body)
    {
        var content = new ByteArrayContent(Encoding.Latin1.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={Boundary}");
        return await _server.Client.PostAsync("/v1/files", content);
    }
}
