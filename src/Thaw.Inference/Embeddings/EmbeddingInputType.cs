namespace Thaw.Inference.Embeddings;

/// <summary>What the inputs are, for models that prefix queries and documents differently.</summary>
public enum EmbeddingInputType
{
    Document,
    Query,
}
