namespace Thaw.Inference.KeepAlive;

/// <summary>
/// What to do after a request, counted from the moment it finished (as in Shahrad et al., "Serverless in the Wild",
/// USENIX ATC 2020). With a zero <see cref="PrewarmDelay"/> the model stays loaded for <see cref="KeepAliveWindow"/>.
/// Otherwise it is unloaded at once, should be ready again <see cref="PrewarmDelay"/> after the request (start the
/// load that much earlier than its expected duration), and then stays loaded for <see cref="KeepAliveWindow"/>.
/// A request that arrives while the model is unloaded loads it (a cold start) and brings a new decision.
/// </summary>
/// <param name="PrewarmDelay">When the model should be ready again; zero: keep it loaded, do not unload.</param>
/// <param name="KeepAliveWindow">How long it stays loaded after the request (zero delay) or after the pre-warm.</param>
/// <param name="Reason">Why, for logs and reports: e.g. <c>fixed window</c> or <c>fallback: 7 samples, fewer than 10</c>.</param>
public readonly record struct KeepAliveDecision(TimeSpan PrewarmDelay, TimeSpan KeepAliveWindow, string Reason)
{
    /// <summary>True when the model is unloaded after the request and loaded again ahead of the next one.</summary>
    public bool Prewarms => PrewarmDelay > TimeSpan.Zero;
}
