using Thaw.Inference.Models;

namespace Thaw.Http.Contracts;

public sealed class ModelItem
{
    public required string Id { get; init; }

    public string Object => "model";

    /// <summary>Unix seconds: when the weights were published (the manifest's <c>published</c>), 0 when it does not say.</summary>
    public required long Created { get; init; }

    public string OwnedBy => "thaw";

    public required string Task { get; init; }

    public required int Dimensions { get; init; }

    public required int MaxTokens { get; init; }

    public required ModelState State { get; init; }

    public required bool Default { get; init; }

    /// <summary>Why the last load failed on this instance (the full message; <c>/readyz</c> shows only its category).</summary>
    public string? Error { get; init; }
}
