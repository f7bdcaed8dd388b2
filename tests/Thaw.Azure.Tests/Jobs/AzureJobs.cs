using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Thaw.Azure.Jobs;
using Thaw.Azure.Storage;
using Thaw.Inference.Jobs;
using Thaw.Testing;

namespace Thaw.Azure.Tests.Jobs;

/// <summary>The Azure job stores and queue on Azurite, in a container and queue of their own.</summary>
internal sealed class AzureJobs
{
    public AzureJobs(Azurite azurite, int chunkLines = 4, int shardLines = 1000)
    {
        string suffix = Guid.NewGuid().ToString("N")[..12];
        Options = new JobsOptions
        {
            Queue = $"jobs-{suffix}",
            ChunkLines = chunkLines,
            ShardLines = shardLines,
            MaxLinesInFlight = 4,

            // On the real clock: tests of chunk-end stops must not race the watch, which a test of its own shortens.
            StopPollInterval = TimeSpan.FromMinutes(10),
            MaxDequeueCount = 2,
            VisibilityTimeout = TimeSpan.FromSeconds(30),
            RetryDelay = TimeSpan.Zero,
        };
        IOptions<StorageOptions> storage = Microsoft.Extensions.Options.Options.Create(new StorageOptions { ConnectionString = azurite.ConnectionString });
        var container = new JobContainer(new BlobClients(storage), Microsoft.Extensions.Options.Options.Create(new FilesOptions { Container = $"files-{suffix}" }));
        Container = container;
        Files = new BlobFileStore(container, TimeProvider.System);
        Batches = new BlobBatchStore(container, NullLogger<BlobBatchStore>.Instance);
        Output = new BlobBatchOutput(container, Files, Microsoft.Extensions.Options.Options.Create(Options));
        Clients = new QueueClients(storage, Microsoft.Extensions.Options.Options.Create(Options));
        Queue = new StorageJobQueue(Clients, Microsoft.Extensions.Options.Options.Create(Options), TimeProvider.System);
    }

    public JobContainer Container { get; }

    public JobsOptions Options { get; }

    public BlobFileStore Files { get; }

    public BlobBatchStore Batches { get; }

    public BlobBatchOutput Output { get; }

    public QueueClients Clients { get; }

    public StorageJobQueue Queue { get; }

    public BatchJobProcessor Processor(IBatchRequestHandler handler) =>
        new(new BatchJobRunner(Batches, Files, Output, Queue, [handler], Microsoft.Extensions.Options.Options.Create(Options), TimeProvider.System, NullLogger<BatchJobRunner>.Instance),
            Microsoft.Extensions.Options.Options.Create(Options), TimeProvider.System, NullLogger<BatchJobProcessor>.Instance);

    public BatchJobRunner Runner(IBatchRequestHandler handler) =>
        new(Batches, Files, Output, Queue, [handler], Microsoft.Extensions.Options.Options.Create(Options), TimeProvider.System, NullLogger<BatchJobRunner>.Instance);

    public static string Lines(int count) => string.Join('\n', Enumerable.Range(0, count).Select(i =>
        JsonSerializer.Serialize(new { custom_id = $"r{i}", method = "POST", url = "/v1/embeddings", body = new { input = i == 2 ? "bad" : $"text {i}" } })));

    public async Task<string> CreateBatchAsync(string content, string? batchId = null)
    {
        FileRecord file = await Files.PutAsync(new FileUpload("in.jsonl", FilePurposes.Batch, long.MaxValue), new MemoryStream(Encoding.UTF8.GetBytes(content)));
        var batch = new BatchRecord
        {
            Id = batchId ?? JobIds.NewBatchId(TimeProvider.System),
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

    public async Task<string[]> ReadLinesAsync(string? fileId)
    {
        if (fileId is null)
        {
            return [];
        }

        await using Stream content = (await Files.OpenReadAsync(fileId))!;
        using var reader = new StreamReader(content);
        return (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public async Task<IJobDelivery> ReceiveAsync(TimeSpan? visibility = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await Queue.ReceiveAsync(visibility ?? Options.VisibilityTimeout, timeout.Token);
    }
}
