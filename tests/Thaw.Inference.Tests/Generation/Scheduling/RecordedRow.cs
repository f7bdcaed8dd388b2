namespace Thaw.Inference.Tests.Generation.Scheduling;

/// <summary>A row of a decoder call: its slot, how many tokens it fed, and the slot's length before them.</summary>
internal readonly record struct RecordedRow(int Slot, int Tokens, int Start);
