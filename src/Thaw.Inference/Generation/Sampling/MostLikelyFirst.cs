namespace Thaw.Inference.Generation.Sampling;

/// <summary>Orders candidates by value, highest first, then by id, lowest first: ties resolve the same way every time.</summary>
internal static class MostLikelyFirst
{
    /// <summary>A comparison for <c>Span.Sort</c>: a static method group, which C# caches, so sorting allocates nothing.</summary>
    public static int Compare(Candidate x, Candidate y) =>
        x.Value != y.Value ? y.Value.CompareTo(x.Value) : x.Id.CompareTo(y.Id);

    /// <summary>Whether <paramref name="x"/> comes before <paramref name="y"/>.</summary>
    public static bool Before(Candidate x, Candidate y) => x.Value > y.Value || (x.Value == y.Value && x.Id < y.Id);
}
