namespace Thaw.Inference.Catalog;

public sealed record TokenizerSpec
{
    /// <summary>Only <c>bert-wordpiece</c> for now.</summary>
    public required string Kind { get; init; }

    public bool Lowercase { get; set; } = true;

    public bool StripAccents { get; set; } = true;
}
