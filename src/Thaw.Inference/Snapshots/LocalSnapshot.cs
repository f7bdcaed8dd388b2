namespace Thaw.Inference.Snapshots;

/// <summary>A complete, verified snapshot in this machine's cache.</summary>
public sealed record LocalSnapshot(string Directory, SnapshotManifest Manifest)
{
    public string ModelPath => Path.Combine(Directory, Manifest.ModelFile);

    public string VocabPath => Path.Combine(Directory, Manifest.VocabFile);
}
