using System.ComponentModel.DataAnnotations;
using Thaw.Inference.Settings;

namespace Thaw.Inference.Generation.Scheduling;

/// <summary>
/// How one kind of use shares a model's slots: interactive requests (people waiting on a stream) or bulk ones
/// (batch-job lines, which want every slot busy and care about throughput, not latency).
/// </summary>
public sealed class SchedulingProfile : NestedOptions
{
    /// <summary>
    /// Most slots this profile's requests hold at once; null means every slot of the model. Lowering the bulk value
    /// keeps slots free for people while a job runs: nothing is preempted, so a job that holds every slot makes a
    /// new interactive request wait for one of its sequences to finish.
    /// </summary>
    [Range(1, 4096)]
    public int? MaxSlots { get; set; }

    /// <summary>
    /// Most prompt tokens fed in one step, over all prefilling requests (chunked prefill). It bounds how much a
    /// newcomer's prompt slows the running requests' next token. The interactive value applies to every step
    /// that has an interactive request running.
    /// </summary>
    [Range(1, 1 << 20)]
    public int MaxPrefillTokensPerStep { get; set; } = 256;

    /// <summary>Most requests waiting for a slot; one more is refused as overloaded (429).</summary>
    [Range(1, 1 << 24)]
    public int MaxQueuedRequests { get; set; } = 256;

    /// <summary>The Retry-After given to a refused request.</summary>
    public TimeSpan OverloadRetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    public static SchedulingProfile BulkDefaults() => new()
    {
        MaxPrefillTokensPerStep = 2048,
        MaxQueuedRequests = 8192,
        OverloadRetryAfter = TimeSpan.FromSeconds(5),
    };
}
