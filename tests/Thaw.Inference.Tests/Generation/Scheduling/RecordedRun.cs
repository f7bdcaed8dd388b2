namespace Thaw.Inference.Tests.Generation.Scheduling;

/// <summary>One decoder call the fake saw: its index and rows.</summary>
internal sealed record RecordedRun(int Index, IReadOnlyList<RecordedRow> Rows)
{
    public RecordedRow? Of(int slot) => Rows.Where(r => r.Slot == slot).Select(r => (RecordedRow?)r).FirstOrDefault();
}
