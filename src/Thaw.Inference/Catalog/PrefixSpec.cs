namespace Thaw.Inference.Catalog;

/// <summary>Text put before inputs of each kind (asymmetric retrieval models such as Arctic want one on queries).</summary>
public sealed record PrefixSpec
{
    public string Query { get; set; } = "";

    public string Document { get; set; } = "";
}
