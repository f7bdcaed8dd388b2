namespace Thaw.Inference.Jobs;

/// <summary>One page of files in the query's order, and whether more follow.</summary>
public sealed record FilePage(IReadOnlyList<FileRecord> Files, bool HasMore);
