using Thaw.Inference.Catalog;

namespace Thaw.Inference.Sources;

/// <summary>A model's files, verified, on local disk.</summary>
/// <param name="Paths">Local path of each file by role.</param>
/// <param name="BytesFetched">Bytes copied from the origin during this call (0 when everything was cached).</param>
/// <param name="BytesVerified">Bytes hashed during this call.</param>
public sealed record ModelFiles(IReadOnlyDictionary<ModelFileRole, string> Paths, long BytesFetched, long BytesVerified)
{
    public string ModelPath => Paths[ModelFileRole.Model];

    public string VocabPath => Paths[ModelFileRole.Vocab];
}
