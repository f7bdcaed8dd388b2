using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Thaw.Azure.Jobs;
using Thaw.Http;
using Thaw.Http.Endpoints;
using Thaw.Http.Responses;
using Thaw.Inference.Hosting;
using Thaw.Inference.Jobs;
using Thaw.Inference.Jobs.Local;
using Thaw.Inference.Onnx;
using Thaw.Testing;

namespace Thaw.Azure.Tests.ServiceBus;

/// <summary>
/// The standalone host composed as <c>thaw serve</c> composes it, with Thaw:ServiceBus pointing at the fake and no
/// storage account: a batch created through the API runs on the real bundled model, its job message going through
/// the real SDK, the fake and the host's listener.
/// </summary>
public sealed class ServiceBusStandaloneHostTests : IAsyncLifetime
{
    private readonly FakeServiceBus _bus = new();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "thaw-sb-tests", Guid.NewGuid().ToString("N"));
    private IHost _host = null!;

    public async Task InitializeAsync()
    {
        await _bus.InitializeAsync();
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(RealModels.HostSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Thaw:ServiceBus:ConnectionString"] = _bus.ConnectionString,
            ["Thaw:ServiceBus:Queue"] = _bus.QueueName,
            ["Thaw:Jobs:Directory"] = _directory,
            ["Thaw:Jobs:ChunkLines"] = "2",
        });
        builder.AddThawInference();
        builder.AddThawOnnx();
        builder.AddThawAzure();
        builder.AddThawHttp();
        builder.AddThawJobListener();
        _host = builder.Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await _bus.DisposeAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Batch_RunsThroughServiceBusOnTheRealModel_WithOneOutputLinePerInput()
    {
        IFileStore files = _host.Services.GetRequiredService<IFileStore>();
        IBatchStore batches = _host.Services.GetRequiredService<IBatchStore>();
        string content = string.Join('\n', Enumerable.Range(0, 5).Select(i => JsonSerializer.Serialize(new
        {
            custom_id = $"sb{i}",
            method = "POST",
            url = "/v1/embeddings",
            body = new { input = $"service bus line {i}" },
        })));
        FileRecord input = await files.PutAsync(new FileUpload("in.jsonl", FilePurposes.Batch, long.MaxValue), new MemoryStream(Encoding.UTF8.GetBytes(content)));
        HttpContext create = new DefaultHttpContext();
        create.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { input_file_id = input.Id, endpoint = "/v1/embeddings", completion_window = "24h" })));

        var created = (JsonResult<BatchRecord>)await _host.Services.GetRequiredService<BatchesEndpoint>().CreateAsync(create.Request);
        BatchRecord? batch = null;
        await Eventually.WaitUntilAsync(() =>
        {
            batch = batches.GetAsync(created.Value.Id).GetAwaiter().GetResult()?.Batch;
            return batch?.IsTerminal == true && _bus.ActiveCount == 0;
        });

        Assert.IsType<ServiceBusJobQueue>(_host.Services.GetRequiredService<IJobQueue>());
        Assert.Equal(BatchStatus.Completed, batch!.Status);
        Assert.Equal(new BatchRequestCounts(5, 5, 0), batch.RequestCounts);
        await using Stream output = (await files.OpenReadAsync(batch.OutputFileId!))!;
        string[] lines = (await new StreamReader(output).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"sb{i}"), lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("custom_id").GetString()).Order());
        Assert.All(lines, l => Assert.Equal(384, JsonDocument.Parse(l).RootElement.GetProperty("response").GetProperty("body").GetProperty("data")[0].GetProperty("embedding").GetArrayLength()));
        Assert.Empty(_bus.DeadLetters);
    }
}
