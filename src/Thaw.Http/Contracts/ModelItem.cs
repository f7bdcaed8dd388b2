using System.Text.Json.Serialization;
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

    /// <summary>An embedding model's vector width; absent for other tasks.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Dimensions { get; init; }

    /// <summary>An embedding model's input limit in tokens (longer inputs are truncated); absent for other tasks.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MaxTokens { get; init; }

    /// <summary>A text-generation model's context: prompt and completion tokens of one request; absent for other tasks.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ContextLength { get; init; }

    public required ModelState State { get; init; }

    public required bool Default { get; init; }

    /// <summary>Why the last load failed on this instance (the full message; <c>/readyz</c> shows only its category).</summary>
    public string? Error { get; init; }
}
