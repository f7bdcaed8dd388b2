namespace Thaw.Http.Contracts;

/// <summary>The <c>/readyz</c> body: per-model state and this instance's cold-start timings.</summary>
public sealed class ReadinessResponse
{
    /// <summary><c>ready</c> when every pre-warm model is ready, else <c>loading</c> or <c>failed</c>.</summary>
    public required string Status { get; init; }

    public required IReadOnlyList<ModelReadiness> Models { get; init; }

    public required InstanceReadiness Instance { get; init; }
}
