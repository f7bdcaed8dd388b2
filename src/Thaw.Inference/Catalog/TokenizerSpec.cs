namespace Thaw.Inference.Catalog;

public sealed record TokenizerSpec
{
    /// <summary>One of <see cref="TokenizerKinds"/>: <c>bert-wordpiece</c> for embeddings, <c>byte-level-bpe</c> or <c>sentencepiece</c> for decoders.</summary>
    public required string Kind { get; init; }

    /// <summary>WordPiece only.</summary>
    public bool Lowercase { get; set; } = true;

    /// <summary>WordPiece only.</summary>
    public bool StripAccents { get; set; } = true;
}
