namespace Thaw.Inference.Jobs;

/// <summary>
/// A non-blank line of an input file: its request <see cref="Index"/> (0-based, blank lines skipped — the unit of
/// chunks and result ids), its <see cref="LineNumber"/> in the file (1-based, for people) and either the request or
/// why it is not one. <see cref="CustomId"/> is set whenever the line had one, even if it is bad otherwise.
/// </summary>
public sealed record BatchInputEntry(int Index, int LineNumber, string? CustomId, BatchInputLine? Line, BatchLineError? Error);
