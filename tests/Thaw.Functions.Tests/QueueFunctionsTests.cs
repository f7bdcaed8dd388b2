using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Thaw.Azure;
using Thaw.Http;
using Thaw.Http.Responses;
using Thaw.Inference.Hosting;
using Thaw.Inference.Jobs;
using Thaw.Inference.Onnx;
using Thaw.Testing;

namespace Thaw.Functions.Tests;

/// <summary>
/// The queue-triggered functions called directly with messages received from a real Azurite queue, composed as
/// Program.cs composes the app (Storage transport, real model); the host's own retry and poison handling cannot run here.
/// </summary>
public sealed class QueueFunctionsTests(Azurite azurite) : IClassFixture<Azurite>, IAsyncLifetime
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..12];
    private IHost _host = null!;

    public async Task InitializeAsync()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(RealModels.HostSettings());
        builder.Configuration.AddInMemoryCollection(azurite.StorageSettings(_suffix));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Thaw:Jobs:Queue"] = $"jobs-{_suffix}",
            ["Thaw:Jobs:RequestQueue"] = $"requests-{_suffix}",
            ["Thaw:Requests:ReplyQueues:0"] = $"replies-{_suffix}",
            ["Thaw:Jobs:ChunkLines"] = "2",
        });
        builder.AddThawInference();
        builder.AddThawOnnx();
        builder.AddThawAzure();
        builder.AddThawHttp();
        _host = builder.Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    [Fact]
    public async Task BatchJobs_RunsTheQueuedBatchToCompletion()
    {
        IFileStore files = _host.Services.GetRequiredService<IFileStore>();
        string content = string.Join('\n', Enumerable.Range(0, 5).Select(i => JsonSerializer.Serialize(new
        {
            custom_id = $"f{i}",
            method = "POST",
            url = "/v1/embeddings",
            body = new { input = $"functions line {i}" },
        })));
        FileRecord input = await files.PutAsync(new FileUpload("in.jsonl", FilePurposes.Batch, long.MaxValue), new MemoryStream(Encoding.UTF8.GetBytes(content)));
        HttpContext create = new DefaultHttpContext();
        create.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { input_file_id = input.Id, endpoint = "/v1/embeddings", completion_window = "24h" })));
        var created = (JsonResult<BatchRecord>)await _host.Services.GetRequiredService<Thaw.Http.Endpoints.BatchesEndpoint>().CreateAsync(create.Request);
        await new QueueFunctions(_host.Services).BatchJobsAsync(await ReceiveAsync(), CancellationToken.None);

        BatchRecord batch = (await _host.Services.GetRequiredService<IBatchStore>().GetAsync(created.Value.Id))!.Batch;
        Assert.Equal(BatchStatus.Completed, batch.Status);
        Assert.Equal(new BatchRequestCounts(5, 5, 0), batch.RequestCounts);
        await using Stream output = (await files.OpenReadAsync(batch.OutputFileId!))!;
        Assert.Equal(5, (await new StreamReader(output).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task BatchJobs_MessageThatIsNotAJob_GoesToThePoisonQueue()
    {
        QueueClient jobs = Queue($"jobs-{_suffix}");
        await jobs.CreateIfNotExistsAsync();
        await jobs.SendMessageAsync("""{"hello":"world"}""");

        await new QueueFunctions(_host.Services).BatchJobsAsync(await ReceiveAsync(), CancellationToken.None);

        PeekedMessage poisoned = Assert.Single((await Queue($"jobs-{_suffix}-poison").PeekMessagesAsync(10)).Value);
        Assert.Equal("""{"hello":"world"}""", poisoned.Body.ToString());
    }

    [Fact]
    public async Task QueuedRequests_AnswersAtTheReplyQueue()
    {
        QueueClient requests = Queue($"requests-{_suffix}");
        await requests.CreateIfNotExistsAsync();
        await Queue($"replies-{_suffix}").CreateIfNotExistsAsync();
        await requests.SendMessageAsync(JsonSerializer.Serialize(new { id = "f1", body = new { input = "a queued request" }, reply_to = new { queue = $"replies-{_suffix}" } }));
        QueueMessage message = (await requests.ReceiveMessageAsync(TimeSpan.FromMinutes(1))).Value;

        await new QueueFunctions(_host.Services).QueuedRequestsAsync(message, CancellationToken.None);

        PeekedMessage reply = Assert.Single((await Queue($"replies-{_suffix}").PeekMessagesAsync(10)).Value);
        using JsonDocument answer = JsonDocument.Parse(reply.Body);
        Assert.Equal("f1", answer.RootElement.GetProperty("id").GetString());
        Assert.Equal(200, answer.RootElement.GetProperty("status_code").GetInt32());
        Assert.Equal(384, answer.RootElement.GetProperty("body").GetProperty("data")[0].GetProperty("embedding").GetArrayLength());
    }

    private QueueClient Queue(string name) =>
        new(azurite.ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    private async Task<QueueMessage> ReceiveAsync()
    {
        QueueClient jobs = Queue($"jobs-{_suffix}");
        await jobs.CreateIfNotExistsAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if ((await jobs.ReceiveMessageAsync(TimeSpan.FromMinutes(1), timeout.Token)).Value is { } message)
            {
                return message;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), timeout.Token);
        }
    }
}
