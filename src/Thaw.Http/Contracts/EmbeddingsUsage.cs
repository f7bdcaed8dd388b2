namespace Thaw.Http.Contracts;

/// <summary>Token counts: what the model processed, [CLS]/[SEP] included, after truncation.</summary>
public sealed class EmbeddingsUsage
{
    public required int PromptTokens { get; init; }

    public required int TotalTokens { get; init; }

    /// <summary>Thaw extension: inputs longer than the model's maximum whose tail was not embedded.</summary>
    public required int TruncatedInputs { get; init; }
}
