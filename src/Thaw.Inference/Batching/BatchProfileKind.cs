namespace Thaw.Inference.Batching;

/// <summary>Which batcher a request joins: small waits for people, big batches for jobs.</summary>
public enum BatchProfileKind
{
    Interactive,
    Bulk,
}
