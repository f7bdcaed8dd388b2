using Thaw.Inference.Catalog;

namespace Thaw.Inference.Sources;

/// <summary>A model's files, verified, on local disk.</summary>
/// <param name="Paths">Local path of each file by role.</param>
/// <param name="Tier">The slowest tier that served a file during this call.</param>
/// <param name="BytesFetched">Bytes copied from the snapshot store or the origin during this call (0 when everything was cached).</param>
/// <param name="BytesVerified">Bytes hashed during this call.</param>
/// <param name="SnapshotStoreProblem">Why the snapshot store was skipped, when it was unreachable; else null.</param>
public sealed record ModelFiles(
    IReadOnlyDictionary<ModelFileRole, string> Paths,
    FileTier Tier,
    long BytesFetched,
    long BytesVerified,
    string? SnapshotStoreProblem = null)
{
    public string ModelPath => Paths[ModelFileRole.Model];

    public string VocabPath => Paths[ModelFileRole.Vocab];

    /// <summary>The local path of the file of <paramref name="role"/>, or null when the model has none.</summary>
    public string? Find(ModelFileRole role) => Paths.GetValueOrDefault(role);
}
