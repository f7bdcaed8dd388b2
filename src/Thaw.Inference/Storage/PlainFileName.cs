namespace Thaw.Inference.Storage;

/// <summary>
/// The one rule for a name that came from storage or from a server (a snapshot manifest's files, a catalog's file
/// names, a batch id) before it becomes part of a local path: a single plain file name, so that joining it to a
/// directory can never leave that directory, on Linux or on Windows.
/// </summary>
public static class PlainFileName
{
    /// <summary>Longest name accepted: a cached file gets suffixes (<c>.{guid}.partial</c>, <c>.verified</c>) and must stay under 255 bytes.</summary>
    public const int MaxLength = 128;

    /// <summary>Why <paramref name="name"/> is not a plain file name, or null when it is one.</summary>
    public static string? Check(string? name) => name switch
    {
        null or "" => "it is empty",
        "." or ".." => "it names a directory",
        { Length: > MaxLength } => $"it is longer than {MaxLength} characters",
        _ when name.Any(char.IsControl) => "it contains a control character",
        // Both separators on every OS, so a name accepted on Linux stays harmless in a cache on Windows, where ':'
        // would name a drive or an alternate data stream; without them no name is rooted either.
        _ when name.AsSpan().IndexOfAny('/', '\\', ':') >= 0 => "it contains a path separator or ':'",
        _ => null,
    };

    /// <summary>Whether <paramref name="name"/> is a plain file name.</summary>
    public static bool IsValid(string? name) => Check(name) is null;
}
