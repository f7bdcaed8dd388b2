using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Thaw.Inference.Jobs;
using Thaw.Inference.Jobs.Local;

namespace Thaw.Inference.Tests.Jobs;

/// <summary>The embedded job stores in a temporary directory, a fake clock, and helpers to submit and read batches.</summary>
internal sealed class JobFixture : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "thaw-job-tests", Guid.NewGuid().ToString("N"));

    public JobFixture(int chunkLines = 10, int maxDequeueCount = 3, int shardLines = 1000)
    {
        Options = new JobsOptions
        {
            ChunkLines = chunkLines,
            ShardLines = shardLines,
            MaxLinesInFlight = 4,
            MaxDequeueCount = maxDequeueCount,
            VisibilityTimeout = TimeSpan.FromMinutes(1),
            RetryDelay = TimeSpan.FromSeconds(10),
        };
        Files = new LocalFileStore(Path.Combine(_directory, "files"), Time);
        Batches = new LocalBatchStore(Path.Combine(_directory, "batches"));
        Output = new LocalBatchOutput(Path.Combine(_directory, "output"), Files, Options.OutputRetention);
        Queue = new InProcessJobQueue(16, Time);
    }

    /// <summary>Where all the stores keep their files.</summary>
    public string Directory => _directory;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 30, 22, 0, 0, TimeSpan.Zero));

    public JobsOptions Options { get; }

    public LocalFileStore Files { get; }

    public LocalBatchStore Batches { get; }

    public LocalBatchOutput Output { get; }

    public InProcessJobQueue Queue { get; }

    /// <summary>A runner on the fixture's stores; <paramref name="queue"/> and <paramref name="output"/> replace the fixture's (to fail or gate them).</summary>
    public BatchJobRunner Runner(IBatchRequestHandler handler, IJobQueue? queue = null, IBatchOutput? output = null) =>
        new(Batches, Files, output ?? Output, queue ?? Queue, [handler], Microsoft.Extensions.Options.Options.Create(Options), Time, NullLogger<BatchJobRunner>.Instance);

    public BatchSweeper Sweeper(IBatchRequestHandler? handler = null) =>
        new(Batches, Output, Runner(handler ?? new EchoHandler()), Microsoft.Extensions.Options.Options.Create(Options), Time, NullLogger<BatchSweeper>.Instance);

    public BatchJobProcessor Processor(IBatchRequestHandler handler, IJobQueue? queue = null, IBatchOutput? output = null) =>
        new(Runner(handler, queue, output), Microsoft.Extensions.Options.Options.Create(Options), Time, NullLogger<BatchJobProcessor>.Instance);

    public static string Lines(int count) => string.Join('\n', Enumerable.Range(0, count).Select(i =>
        JsonSerializer.Serialize(new { custom_id = $"r{i}", method = "POST", url = "/v1/embeddings", body = new { input = i % 7 == 3 ? "bad" : $"text {i}" } })));

    /// <summary>Stores the input file and a validating batch for it (what POST /v1/batches does), and queues its job.</summary>
    public async Task<string> CreateBatchAsync(string content, string? batchId = null)
    {
        FileRecord file = await Files.PutAsync(new FileUpload("in.jsonl", FilePurposes.Batch, long.MaxValue), new MemoryStream(Encoding.UTF8.GetBytes(content)));
        var batch = new BatchRecord
        {
            Id = batchId ?? JobIds.NewBatchId(Time),
            Endpoint = "/v1/embeddings",
            InputFileId = file.Id,
            CompletionWindow = "24h",
            CreatedAt = Time.GetUtcNow().ToUnixTimeSeconds(),
            ExpiresAt = Time.GetUtcNow().AddHours(24).ToUnixTimeSeconds(),
        };
        await Batches.CreateAsync(batch);
        await Queue.EnqueueAsync(JobMessage.ForBatch(batch.Id));
        return batch.Id;
    }

    public async Task<BatchRecord> GetAsync(string batchId) => (await Batches.GetAsync(batchId))!.Batch;

    public async Task<JsonElement[]> ReadLinesAsync(string? fileId)
    {
        if (fileId is null)
        {
            return [];
        }

        await using Stream content = (await Files.OpenReadAsync(fileId))!;
        using var reader = new StreamReader(content);
        string text = await reader.ReadToEndAsync();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
