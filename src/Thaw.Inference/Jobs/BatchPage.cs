namespace Thaw.Inference.Jobs;

/// <summary>One page of batches, newest first, and whether older ones follow.</summary>
public sealed record BatchPage(IReadOnlyList<BatchRecord> Batches, bool HasMore);
