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
}
