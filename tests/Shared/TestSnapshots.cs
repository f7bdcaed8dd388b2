using Thaw.Inference.Catalog;
using Thaw.Inference.Snapshots;

namespace Thaw.Testing;

/// <summary>Snapshot manifests written by hand, as another instance — or anyone who can write the cache or the store — could.</summary>
internal static class TestSnapshots
{
    /// <summary>A key for <paramref name="model"/> as a backend would make it: named after the catalog's source weights.</summary>
    public static SnapshotKey Key(ModelManifest model) =>
        new(model.Id, model.GetFile(ModelFileRole.Model).Sha256, "test-runtime 1.0", "cpu", "test-device", "all", "fp32");

    /// <summary>A manifest listing <paramref name="files"/>.</summary>
    public static SnapshotManifest Manifest(SnapshotKey key, string modelFile, string vocabFile, params SnapshotFile[] files) => new()
    {
        Format = SnapshotManifest.CurrentFormat,
        Key = key,
        ModelFile = modelFile,
        VocabFile = vocabFile,
        Files = files,
        CreatedAt = DateTimeOffset.UnixEpoch,
        CreatedBy = "test",
        BuildMs = 1,
    };

    /// <summary>A manifest's entry for a file of this content, with its true hash and size.</summary>
    public static SnapshotFile File(string name, string content) => new(name, TestManifests.Sha256(content), System.Text.Encoding.UTF8.GetByteCount(content));

    public static string Json(SnapshotManifest manifest) => System.Text.Json.JsonSerializer.Serialize(manifest, SnapshotJsonContext.Default.SnapshotManifest);
}
