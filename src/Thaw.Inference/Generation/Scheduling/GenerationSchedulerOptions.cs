using Microsoft.Extensions.Options;

namespace Thaw.Inference.Generation.Scheduling;

/// <summary>
/// The settings of one model's generation scheduler: the mode and a profile per kind of use. Configured for every
/// text-generation model from <c>Thaw:Generation</c> (validated at start); each model checks them against its slots when it loads.
/// </summary>
public sealed class GenerationSchedulerOptions
{
    public const string SectionName = "Thaw:Generation";

    public SchedulingMode Mode { get; set; } = SchedulingMode.Continuous;

    /// <summary>HTTP requests. Waiting interactive requests are admitted before waiting bulk ones.</summary>
    [ValidateObjectMembers]
    public SchedulingProfile Interactive { get; set; } = new();

    /// <summary>Batch-job lines.</summary>
    [ValidateObjectMembers]
    public SchedulingProfile Bulk { get; set; } = SchedulingProfile.BulkDefaults();

    /// <summary>Checks the settings against the model they schedule; the message names the key.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    internal void Validate(string name, int slots)
    {
        Check(nameof(Interactive), Interactive, name, slots);
        Check(nameof(Bulk), Bulk, name, slots);
    }

    private static void Check(string key, SchedulingProfile profile, string name, int slots)
    {
        if (profile.MaxSlots is < 1 || profile.MaxSlots > slots)
        {
            throw new ArgumentException($"{key}:MaxSlots is {profile.MaxSlots}; '{name}' has {slots} slots, so it must be 1 to {slots} (or unset for all).");
        }

        if (profile.MaxPrefillTokensPerStep < 1)
        {
            throw new ArgumentException($"{key}:MaxPrefillTokensPerStep is {profile.MaxPrefillTokensPerStep}; it must be at least 1.");
        }

        if (profile.MaxQueuedRequests < 1)
        {
            throw new ArgumentException($"{key}:MaxQueuedRequests is {profile.MaxQueuedRequests}; it must be at least 1.");
        }

        if (profile.OverloadRetryAfter <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{key}:OverloadRetryAfter is {profile.OverloadRetryAfter}; it must be positive.");
        }
    }
}
