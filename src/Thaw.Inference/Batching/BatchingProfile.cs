using System.ComponentModel.DataAnnotations;
using Thaw.Inference.Settings;

namespace Thaw.Inference.Batching;

/// <summary>
/// How a model's micro-batcher forms batches. The interactive profile (HTTP) is <c>Thaw:Batching</c>; the bulk
/// profile (queue jobs) is <c>Thaw:Batching:Bulk</c>.
/// </summary>
public class BatchingProfile : NestedOptions
{
    /// <summary>Most inputs in one forward pass. 1 turns batching off.</summary>
    [Range(1, 4096)]
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>Most padded tokens (inputs x longest input) in one forward pass.</summary>
    [Range(1, 1 << 24)]
    public int MaxBatchTokens { get; set; } = 16384;

    /// <summary>
    /// How long a batch may wait to fill while the model is busy and another batch could start. An idle model
    /// never waits: the first input is dispatched at once.
    /// </summary>
    [TimeSpanRange("00:00:00", "00:01:00")]
    public TimeSpan MaxBatchDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Whether an idle model takes its first input at once (interactive: no delay tax at low load). Off, a batch
    /// waits up to <see cref="MaxBatchDelay"/> to fill even on an idle model: the bulk profile's choice, because a
    /// job's lines arrive as fast as they are parsed and tokenized, and on a busy CPU that trickle otherwise runs
    /// as many small batches (measured: mean batch 5 instead of 40 for 200 short lines under load).
    /// </summary>
    public bool DispatchWhenIdle { get; set; } = true;

    /// <summary>Forward passes in flight at once for one model (1 on CPU; 2 lets a GPU overlap host work).</summary>
    [Range(1, 64)]
    public int MaxConcurrentBatches { get; set; } = 1;

    /// <summary>
    /// Most inputs waiting for a batch; a request that would exceed it is refused as overloaded (429). It must hold
    /// at least <c>Thaw:Limits:MaxInputs</c> (checked at start): 4096 takes two requests of OpenAI's 2048 at once.
    /// </summary>
    [Range(1, 1 << 24)]
    public int MaxQueuedInputs { get; set; } = 4096;

    /// <summary>The Retry-After given to a refused request.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan OverloadRetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    public static BatchingProfile BulkDefaults() => new()
    {
        MaxBatchSize = 64,
        MaxBatchTokens = 65536,
        MaxBatchDelay = TimeSpan.FromMilliseconds(50),
        DispatchWhenIdle = false,
        MaxQueuedInputs = 8192,
    };
}
