using Thaw.Inference.Settings;

namespace Thaw.Inference.KeepAlive;

/// <summary>Stays loaded for a fixed window after each request and never pre-warms: what most platforms do.</summary>
internal sealed class FixedKeepAlivePolicy : IKeepAlivePolicy
{
    public const string PolicyName = "fixed";

    private readonly KeepAliveDecision _decision;

    public FixedKeepAlivePolicy(FixedKeepAliveOptions options)
    {
        OptionsValidation.ThrowIfInvalid(options, KeepAliveOptions.SectionName + ":Fixed");
        Window = options.Window;
        _decision = new KeepAliveDecision(TimeSpan.Zero, Window, "fixed window");
    }

    public string Name => PolicyName;

    public TimeSpan Window { get; }

    public KeepAliveDecision Decide(IdleTimeHistogram idleTimes) => _decision;
}
