using System.Globalization;

namespace Thaw.Inference.Jobs;

/// <summary>
/// Names that sort files by creation, so that both stores answer a page of <c>GET /v1/files</c> from a listing of
/// names instead of reading every record: <c>{created_at:D12}.{id}</c> sorts oldest first, and the same with
/// <c>999999999999 - created_at</c> sorts newest first (Blob Storage lists names in one direction only). Ids hold
/// no '.', so a name splits back into its parts; within one second, names sort by id.
/// </summary>
public static class FileIndex
{
    private const long Latest = 999_999_999_999;

    public static string Name(FileRecord file, bool ascending) =>
        string.Create(CultureInfo.InvariantCulture, $"{(ascending ? file.CreatedAt : Latest - file.CreatedAt):D12}.{file.Id}");

    /// <summary>The name under which the retention sweep finds the file (expiry time first), or null when it never expires.</summary>
    public static string? ExpiryName(FileRecord file) =>
        file.ExpiresAt is { } expires ? string.Create(CultureInfo.InvariantCulture, $"{expires:D12}.{file.Id}") : null;

    /// <summary>Whether an index name's time (its first 12 digits) is at or before <paramref name="seconds"/>.</summary>
    public static bool IsAtOrBefore(string name, long seconds) =>
        long.TryParse(name.AsSpan(0, Math.Min(12, name.Length)), NumberStyles.None, CultureInfo.InvariantCulture, out long time) && time <= seconds;

    /// <summary>The id in an index name, or null for a name that is not one.</summary>
    public static string? IdOf(string name) =>
        name.Length > 13 && name[12] == '.' && long.TryParse(name.AsSpan(0, 12), NumberStyles.None, CultureInfo.InvariantCulture, out _)
            && JobIds.IsWellFormed(name[13..])
            ? name[13..]
            : null;
}
