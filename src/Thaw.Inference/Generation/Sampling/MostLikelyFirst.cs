namespace Thaw.Inference.Generation.Sampling;

/// <summary>Orders candidates by value, highest first, then by id, lowest first: ties resolve the same way every time.</summary>
internal readonly struct MostLikelyFirst : IComparer<Candidate>
{
    public int Compare(Candidate x, Candidate y) =>
        x.Value != y.Value ? y.Value.CompareTo(x.Value) : x.Id.CompareTo(y.Id);

    /// <summary>Whether <paramref name="x"/> comes before <paramref name="y"/>.</summary>
    public static bool Before(Candidate x, Candidate y) => x.Value > y.Value || (x.Value == y.Value && x.Id < y.Id);
}
