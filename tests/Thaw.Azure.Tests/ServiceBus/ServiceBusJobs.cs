using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Thaw.Azure.Jobs;
using Thaw.Inference.Jobs;
using Thaw.Inference.Jobs.Local;
using Thaw.Testing;

namespace Thaw.Azure.Tests.ServiceBus;

/// <summary>The Service Bus job queue on the fake, with batch files and records on local disk (Service Bus without storage).</summary>
internal sealed class ServiceBusJobs : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "thaw-sb-tests", Guid.NewGuid().ToString("N"));

    public ServiceBusJobs(FakeServiceBus bus)
    {
        Options = new JobsOptions
        {
            ChunkLines = 4,
            MaxLinesInFlight = 4,

            // On the real clock: tests of chunk-end stops must not race the watch, which a test of its own shortens.
            StopPollInterval = TimeSpan.FromMinutes(10),
            MaxDequeueCount = 2,
            VisibilityTimeout = TimeSpan.FromSeconds(30),
            RetryDelay = TimeSpan.Zero,
        };
        IOptions<ServiceBusOptions> serviceBus = Microsoft.Extensions.Options.Options.Create(new ServiceBusOptions { ConnectionString = bus.ConnectionString, Queue = bus.QueueName });
        Clients = new ServiceBusClients(serviceBus, storesAreLocal: true, Log);
        Queue = new ServiceBusJobQueue(Clients, serviceBus);
        Files = new LocalFileStore(Path.Combine(_directory, "files"), TimeProvider.System);
        Batches = new LocalBatchStore(Path.Combine(_directory, "batches"));
        Output = new LocalBatchOutput(Path.Combine(_directory, "output"), Files, new JobsOptions().OutputRetention);
    }

    public JobsOptions Options { get; }

    public CapturingLogger<ServiceBusClients> Log { get; } = new();

    public ServiceBusClients Clients { get; }

    public ServiceBusJobQueue Queue { get; }

    public LocalFileStore Files { get; }

    public LocalBatchStore Batches { get; }

    public LocalBatchOutput Output { get; }

    public BatchJobProcessor Processor(IBatchRequestHandler handler, TimeProvider? time = null) =>
        new(new BatchJobRunner(Batches, Files, Output, Queue, [handler], Microsoft.Extensions.Options.Options.Create(Options), time ?? TimeProvider.System, NullLogger<BatchJobRunner>.Instance),
            Microsoft.Extensions.Options.Options.Create(Options), time ?? TimeProvider.System, NullLogger<BatchJobProcessor>.Instance);

    public async Task<string> CreateBatchAsync(int lines)
    {
        string content = string.Join('\n', Enumerable.Range(0, lines).Select(i =>
            JsonSerializer.Serialize(new { custom_id = $"r{i}", method = "POST", url = "/v1/embeddings", body = new { input = $"text {i}" } })));
        FileRecord file = await Files.PutAsync(new FileUpload("in.jsonl", FilePurposes.Batch, long.MaxValue), new MemoryStream(Encoding.UTF8.GetBytes(content)));
        var batch = new BatchRecord
        {
            Id = JobIds.NewBatchId(TimeProvider.System),
            Endpoint = "/v1/embeddings",
            InputFileId = file.Id,
            CompletionWindow = "24h",
            CreatedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ExpiresAt = DateTimeOffset.UtcNow.AddHours(24).ToUnixTimeSeconds(),
        };
        await Batches.CreateAsync(batch);
        await Queue.EnqueueAsync(JobMessage.ForBatch(batch.Id));
        return batch.Id;
    }

    public async Task<IJobDelivery> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await Queue.ReceiveAsync(Options.VisibilityTimeout, timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await Clients.DisposeAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
