namespace Thaw.Inference.Catalog;

/// <summary>A model's sampling defaults (<c>generation.defaults</c>), for requests that leave a field out.</summary>
public sealed record GenerationDefaults
{
    /// <summary>Completion tokens when a request gives no <c>max_tokens</c>.</summary>
    public int MaxTokens { get; set; } = 256;

    public float Temperature { get; set; } = 1f;

    public float TopP { get; set; } = 1f;
}
