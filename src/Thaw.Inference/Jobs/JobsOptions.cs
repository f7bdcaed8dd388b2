using System.ComponentModel.DataAnnotations;
using Thaw.Inference.Settings;

namespace Thaw.Inference.Jobs;

/// <summary><c>Thaw:Jobs</c>: batch files, the job queue and how the runner works through a batch.</summary>
public sealed class JobsOptions : IValidatableObject
{
    public const string SectionName = "Thaw:Jobs";

    /// <summary>Local files, batches and output chunks (embedded default). Default: <c>{Thaw:CacheDirectory}/jobs</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>Most input lines per output chunk: the unit of commit and of resume after a crash.</summary>
    [Range(1, 1_000_000)]
    public int ChunkLines { get; set; } = 1000;

    /// <summary>
    /// Most input lines per shard: a batch with more lines is split into shards of this many, one job message each, so
    /// that the platform's scaler (KEDA, the Functions scale controller) runs them on as many instances as the queue
    /// asks for. A batch pins the value when it is split, so instances with other settings agree. The default takes
    /// about a minute on a 2-core CPU instance for the longest texts (256 tokens) and a few seconds for short ones:
    /// well under <see cref="VisibilityTimeout"/>, and the most a killed worker's shard redoes.
    /// </summary>
    [Range(1, 10_000_000)]
    public int ShardLines { get; set; } = 2000;

    /// <summary>
    /// Output bytes (output and error lines together) after which a chunk ends early, so that a chunk of lines with
    /// many inputs each stays a bounded unit of work to redo. Chunks stream to storage: this bounds no memory.
    /// </summary>
    [Range(1024, 1L << 40)]
    public long ChunkBytes { get; set; } = 64L << 20;

    /// <summary>
    /// Lines of one job started and not yet written. The runner starts them in pieces of half this many, each ordered by
    /// length (so the model's batches pad little), and starts the next piece before it writes the previous one, so that
    /// the model is busy while results are written. Memory holds at most this many answers.
    /// </summary>
    [Range(2, 65536)]
    public int MaxLinesInFlight { get; set; } = 1024;

    /// <summary>
    /// How often a running shard reads its batch's record to notice cancel and expiry: once noticed, lines not yet in a
    /// model batch are dropped, so a cancel stops a run within this long plus the model batch that is running. One small
    /// read per running shard per interval, whatever the transport or the number of instances.
    /// </summary>
    [TimeSpanRange("00:00:00.010", "00:10:00")]
    public TimeSpan StopPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Largest uploaded file (OpenAI's limit for batch input is 200 MB).</summary>
    [Range(1, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 200L << 20;

    /// <summary>Deliveries of a job message before it goes to the dead-letter (poison) queue and its batch fails.</summary>
    [Range(1, 1000)]
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>How long a received message stays invisible; a working job renews it every half of this.</summary>
    [TimeSpanRange("00:00:01", "00:30:00")]
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a job that failed waits before its next delivery.</summary>
    [TimeSpanRange("00:00:00", "00:30:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often each instance sweeps the batches for ones that nothing will end (see docs/batch-jobs.md).</summary>
    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long after its last lease ran out a started batch that no worker holds is failed as lost (its message was
    /// dead-lettered by the platform, or its workers were killed each time). At least VisibilityTimeout + RetryDelay.
    /// </summary>
    public TimeSpan LostAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a batch's output and error files are kept after they are written; the retention sweep deletes them
    /// then (uploads keep what their <c>expires_after</c> says, or stay until deleted).
    /// </summary>
    [TimeSpanRange("01:00:00", "3650.00:00:00")]
    public TimeSpan OutputRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Jobs waiting or running in the in-process queue; beyond it, creating a batch answers 429.</summary>
    [Range(1, 1 << 20)]
    public int QueueCapacity { get; set; } = 1024;

    /// <summary>Jobs one instance's listener runs at once.</summary>
    [Range(1, 64)]
    public int MaxConcurrentJobs { get; set; } = 1;

    /// <summary>Longest pause between polls of an empty Storage queue (polls back off from 100 ms to this).</summary>
    [TimeSpanRange("00:00:00.100", "00:10:00")]
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Longest pause of a listener whose queue fails (storage or Service Bus unreachable, credentials refused): it logs,
    /// waits from 1 s doubling up to this, and tries again — it never stops the host.
    /// </summary>
    [TimeSpanRange("00:00:00.001", "01:00:00")]
    public TimeSpan MaxFailureBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The first pause of <see cref="MaxFailureBackoff"/>'s back-off.</summary>
    public TimeSpan FirstFailureBackoff => MaxFailureBackoff < TimeSpan.FromSeconds(1) ? MaxFailureBackoff : TimeSpan.FromSeconds(1);

    /// <summary>Storage queue of job messages when a storage account is configured (poison queue: <c>{Queue}-poison</c>).</summary>
    public string Queue { get; set; } = "thaw-jobs";

    /// <summary>
    /// Storage queue of single embeddings requests with a reply destination (poison queue: <c>{RequestQueue}-poison</c>);
    /// the Functions trigger's queue name is fixed at <c>thaw-requests</c>.
    /// </summary>
    public string RequestQueue { get; set; } = "thaw-requests";

    /// <summary>Queued requests the standalone listener receives and runs at once (a Storage queue hands out at most 32 per call).</summary>
    [Range(1, 32)]
    public int MaxConcurrentRequests { get; set; } = 32;

    public string ResolveDirectory(string cacheDirectory) =>
        string.IsNullOrEmpty(Directory) ? Path.Combine(cacheDirectory, "jobs") : Directory;

    /// <summary>A batch is lost only once no delivery can still be pending.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LostAfter < VisibilityTimeout + RetryDelay)
        {
            yield return new ValidationResult($"LostAfter ({LostAfter}) must be at least VisibilityTimeout + RetryDelay ({VisibilityTimeout + RetryDelay}).",
                [nameof(LostAfter), nameof(VisibilityTimeout), nameof(RetryDelay)]);
        }
    }
}
