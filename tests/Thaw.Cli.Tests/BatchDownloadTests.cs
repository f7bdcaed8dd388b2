using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Thaw.Http.Contracts;
using Thaw.Inference.Jobs;

namespace Thaw.Cli.Tests;

/// <summary><c>thaw batch download</c> against a hostile server: a tiny Kestrel handler on loopback that answers what it likes.</summary>
public sealed class BatchDownloadTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("thaw-batch-download-").FullName;
    private WebApplication _app = null!;
    private string _url = null!;

    /// <summary>The id the server claims for every batch.</summary>
    private string _answeredId = "batch_ok";

    public async Task InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapGet("/v1/batches/{id}", () => Results.Text(JsonSerializer.Serialize(new BatchRecord
        {
            Id = _answeredId,
            Endpoint = "/v1/embeddings",
            InputFileId = "file-in",
            CompletionWindow = "24h",
            CreatedAt = 0,
            Status = BatchStatus.Completed,
            OutputFileId = "file-out",
        }, ThawJson.Context.BatchRecord), "application/json"));
        _app.MapGet("/v1/files/{id}/content", () => Results.Text("{\"custom_id\":\"a\"}\n", "application/jsonl"));
        await _app.StartAsync();
        _url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData("../../escaped")]
    [InlineData("{root}/escaped")]
    [InlineData("a/../../escaped")]
    [InlineData("..")]
    public async Task Download_ServerAnswersAnIdThatIsAPath_WritesNothingAndFails(string hostile)
    {
        _answeredId = hostile.Replace("{root}", _directory, StringComparison.Ordinal);
        string output = Path.Combine(_directory, "out", "results");

        (int exitCode, _, string stderr) = await Thaw.RunAsync(["batch", "download", "batch_ok", "-o", output, "--url", _url]);

        Assert.Equal(1, exitCode);
        Assert.Contains("not a plain file name", stderr);
        // Every answer above resolves inside this directory, outside the output directory.
        Assert.Empty(Directory.GetFiles(_directory, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Download_PlainId_WritesTheOutputFile()
    {
        string output = Path.Combine(_directory, "results");

        (int exitCode, string stdout, string stderr) = await Thaw.RunAsync(["batch", "download", "batch_ok", "-o", output, "--url", _url]);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("batch_ok_output.jsonl", stdout);
        Assert.Equal(["batch_ok_output.jsonl"], Directory.GetFiles(output).Select(Path.GetFileName));
    }
}
