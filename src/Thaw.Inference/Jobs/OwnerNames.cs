namespace Thaw.Inference.Jobs;

/// <summary>
/// Who files and batches belong to: the owner of the API key that made them. Records from before owners existed,
/// anonymous callers and the keys of <c>Thaw:ApiKeys</c> all belong to <see cref="Default"/>, so a deployment that
/// names no owners behaves as it did. Names also appear in index paths, hence the narrow alphabet.
/// </summary>
public static class OwnerNames
{
    public const string Default = "default";

    public const int MaxLength = 64;

    /// <summary>Whether <paramref name="name"/> is 1 to 64 of <c>a-z</c>, <c>0-9</c> and <c>-</c>.</summary>
    public static bool IsValid(string name) =>
        name.Length is > 0 and <= MaxLength && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');
}
