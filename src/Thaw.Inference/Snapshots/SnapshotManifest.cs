using Thaw.Inference.Storage;

namespace Thaw.Inference.Snapshots;

/// <summary>
/// A snapshot's description, <c>snapshot.json</c> in its directory and in the store: the key it was prepared for,
/// its files by content, and how it was built. Written last, so a snapshot without one does not exist.
/// </summary>
public sealed class SnapshotManifest
{
    /// <summary>Bumped when the layout changes; another version is treated as absent.</summary>
    public const int CurrentFormat = 1;

    public required int Format { get; init; }

    public required SnapshotKey Key { get; init; }

    /// <summary>The file the session is created from (the prepared graph; its weights may be in other files).</summary>
    public required string ModelFile { get; init; }

    /// <summary>The tokenizer's vocabulary.</summary>
    public required string VocabFile { get; init; }

    public required IReadOnlyList<SnapshotFile> Files { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The machine that built it.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>Session creation from the source weights, optimization and writing the prepared model included.</summary>
    public required double BuildMs { get; init; }

    public long Size => Files.Sum(f => f.Size);

    /// <summary>
    /// What makes this manifest unusable whatever it was prepared for, or null: it comes from storage that other
    /// instances write, so every name must be a plain file name inside the snapshot's directory (never the manifest's
    /// own), every hash a SHA-256, and the model and vocabulary files among the verified files. Names are not quoted:
    /// a hostile one could carry anything into the log.
    /// </summary>
    public string? Problem()
    {
        // JSON null reaches properties that the type declares non-nullable.
        if (Key is null || Files is null || Files.Any(f => f is null))
        {
            return "it lacks its key or a file";
        }

        if (PlainFileName.Check(Key.ModelId) is { } badModel)
        {
            return $"its key's model id is not a plain name: {badModel}";
        }

        if (Files.Count == 0)
        {
            return "it lists no files";
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < Files.Count; i++)
        {
            SnapshotFile file = Files[i];
            string? problem = PlainFileName.Check(file.Name) is { } badName ? $"is not a plain file name: {badName}"
                : string.Equals(file.Name, SnapshotCache.ManifestFileName, StringComparison.OrdinalIgnoreCase) ? "is the manifest's own name"
                // Case-insensitively: on a case-insensitive disk two such names would be one file.
                : !names.Add(file.Name) ? "is listed twice"
                : !VerifiedFile.IsSha256(file.Sha256) ? "has a 'sha256' that is not 64 lower-case hex digits"
                : file.Size <= 0 ? "has a size that is not positive"
                : null;
            if (problem is not null)
            {
                return $"files[{i}] {problem}";
            }
        }

        return !Files.Any(f => f.Name == ModelFile) ? "its model_file is not among its files"
            : !Files.Any(f => f.Name == VocabFile) ? "its vocab_file is not among its files"
            : null;
    }
}
