namespace Thaw.Http.Contracts;

public sealed class EmbeddingItem
{
    public string Object => "embedding";

    public required int Index { get; init; }

    public required EmbeddingVector Embedding { get; init; }
}
