namespace Thaw.Inference.KeepAlive;

/// <summary>
/// Decides, after each request to a model, how long the model stays loaded and whether it is unloaded now and
/// loaded again ahead of the next predicted request (scale to zero trades idle cost for cold starts).
/// </summary>
public interface IKeepAlivePolicy
{
    /// <summary>The policy's name in configuration and reports: <c>fixed</c> or <c>histogram</c>.</summary>
    string Name { get; }

    /// <summary>The decision after a request, from the model's idle times so far (every instance's, merged).</summary>
    /// <param name="idleTimes">The model's idle-time histogram; not modified.</param>
    KeepAliveDecision Decide(IdleTimeHistogram idleTimes);
}
