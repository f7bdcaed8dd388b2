namespace Thaw.Inference.Jobs;

/// <summary>A batch's result files: the output file, and the error file when any line failed.</summary>
public sealed record CommittedOutput(FileRecord Output, FileRecord? Errors);
