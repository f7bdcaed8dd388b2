namespace Thaw.Inference.KeepAlive;

/// <summary>
/// Keeps every model loaded for as long as the process lives and never pre-warms: the policy of a pool built without
/// one (tests, in-process tools), so that the pool has no "no policy" case of its own. Not selectable by configuration.
/// </summary>
internal sealed class NoKeepAlivePolicy : IKeepAlivePolicy
{
    public static NoKeepAlivePolicy Instance { get; } = new();

    private static readonly KeepAliveDecision Forever = new(TimeSpan.Zero, Timeout.InfiniteTimeSpan, "never unloads");

    private NoKeepAlivePolicy()
    {
    }

    public string Name => "none";

    public KeepAliveDecision Decide(IdleTimeHistogram idleTimes) => Forever;
}
