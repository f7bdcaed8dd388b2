namespace Thaw.Inference.Jobs;

/// <summary>One entry of a batch's <c>errors.data</c>: why the batch as a whole failed.</summary>
public sealed record BatchError(string Code, string Message, string? Param = null, int? Line = null);
