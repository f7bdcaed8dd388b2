using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Thaw.Inference.Catalog;
using Thaw.Inference.Settings;
using Thaw.Inference.Snapshots;
using Thaw.Testing;

namespace Thaw.Inference.Tests.Snapshots;

/// <summary>Snapshots on this machine's disk: what a lookup accepts, and what it discards without touching anything else.</summary>
public sealed class SnapshotCacheTests : IDisposable
{
    private const string Weights = "source weights";
    private const string Vocab = "[PAD]\n[UNK]\n";
    private const string Prepared = "prepared graph";
    private readonly string _root = Directory.CreateTempSubdirectory("thaw-snapshot-cache-").FullName;
    private readonly ModelManifest _model;
    private readonly SnapshotKey _key;
    private readonly SnapshotCache _cache;

    public SnapshotCacheTests()
    {
        _model = TestManifests.WritePathModel(Path.Combine(_root, "catalog"), "m1", Weights, Vocab);
        _key = TestSnapshots.Key(_model);
        _cache = CreateCache();
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task FindAsync_IntactSnapshotFromTheCatalogsSources_IsFoundOnLocalDisk()
    {
        string directory = WriteSnapshot(TestSnapshots.Manifest(_key, "prepared.onnx", "vocab.txt", TestSnapshots.File("prepared.onnx", Prepared), TestSnapshots.File("vocab.txt", Vocab)),
            ("prepared.onnx", Prepared), ("vocab.txt", Vocab));

        SnapshotLookup lookup = await _cache.FindAsync(_key, _model);

        Assert.Equal(Path.Combine(directory, "prepared.onnx"), lookup.Snapshot?.ModelPath);
    }

    [Theory]
    [InlineData("../../../../outside.onnx")]
    [InlineData("{root}/outside.onnx")]
    public async Task FindAsync_ManifestNamingAFileOutsideTheCache_DiscardsTheSnapshotAndWritesNothingOutside(string hostile)
    {
        // The file it points at exists and matches the hash the manifest gives, as an attacker would arrange.
        string outside = Path.Combine(_root, "outside.onnx");
        File.WriteAllText(outside, Prepared);
        string name = hostile.Replace("{root}", _root, StringComparison.Ordinal);
        string directory = WriteSnapshot(TestSnapshots.Manifest(_key, name, "vocab.txt", TestSnapshots.File(name, Prepared), TestSnapshots.File("vocab.txt", Vocab)), ("vocab.txt", Vocab));
        Assert.Equal(Path.GetFullPath(outside), Path.GetFullPath(Path.Combine(directory, name)));

        SnapshotLookup lookup = await _cache.FindAsync(_key, _model);

        Assert.Null(lookup.Snapshot);
        Assert.False(Directory.Exists(directory));
        // Not even a verification stamp beside it.
        Assert.Equal(["cache", "catalog", "outside.onnx"], Directory.GetFileSystemEntries(_root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task FindAsync_SnapshotWhoseVocabularyIsNotTheCatalogs_IsDiscarded()
    {
        const string OtherVocab = "[PAD]\n[UNK]\nswapped\n";
        string directory = WriteSnapshot(TestSnapshots.Manifest(_key, "prepared.onnx", "vocab.txt", TestSnapshots.File("prepared.onnx", Prepared), TestSnapshots.File("vocab.txt", OtherVocab)),
            ("prepared.onnx", Prepared), ("vocab.txt", OtherVocab));

        SnapshotLookup lookup = await _cache.FindAsync(_key, _model);

        Assert.Null(lookup.Snapshot);
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task FindAsync_VocabularyNotAmongTheVerifiedFiles_IsDiscarded()
    {
        string directory = WriteSnapshot(TestSnapshots.Manifest(_key, "prepared.onnx", "unlisted.txt", TestSnapshots.File("prepared.onnx", Prepared), TestSnapshots.File("vocab.txt", Vocab)),
            ("prepared.onnx", Prepared), ("vocab.txt", Vocab), ("unlisted.txt", "never hashed"));

        SnapshotLookup lookup = await _cache.FindAsync(_key, _model);

        Assert.Null(lookup.Snapshot);
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task FindAsync_KeyNotNamingTheCatalogsWeights_ThrowsABug()
    {
        SnapshotKey other = _key with { SourceSha256 = new string('0', 64) };

        var e = await Assert.ThrowsAsync<ArgumentException>(() => _cache.FindAsync(other, _model));

        Assert.StartsWith("Bug:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FindAsync_CorruptSnapshotThatAnotherProcessDiscardsMeanwhile_IsAMiss()
    {
        // The manifest is a FIFO, so this lookup stops inside its read while the "other process" (this test)
        // removes the directory, as a second instance sharing the cache does after finding the same corruption.
        string directory = _cache.GetDirectory(_key);
        Directory.CreateDirectory(directory);
        string manifest = Path.Combine(directory, SnapshotCache.ManifestFileName);
        using (Process mkfifo = Process.Start("mkfifo", [manifest]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        Task<SnapshotLookup> lookup = Task.Run(() => _cache.FindAsync(_key, _model));
        await using (var writer = new FileStream(manifest, FileMode.Open, FileAccess.Write))
        {
            Directory.Delete(directory, recursive: true);
            await writer.WriteAsync("{ corrupt"u8.ToArray());
        }

        Assert.Null((await lookup).Snapshot);
        Assert.False(Directory.Exists(directory));
    }

    private string WriteSnapshot(SnapshotManifest manifest, params (string Name, string Content)[] files)
    {
        string directory = _cache.GetDirectory(_key);
        Directory.CreateDirectory(directory);
        foreach ((string name, string content) in files)
        {
            File.WriteAllText(Path.Combine(directory, name), content);
        }

        File.WriteAllText(Path.Combine(directory, SnapshotCache.ManifestFileName), TestSnapshots.Json(manifest));
        return directory;
    }

    private SnapshotCache CreateCache() =>
        new(Options.Create(new CacheOptions { CacheDirectory = Path.Combine(_root, "cache") }), TimeProvider.System, NullLogger<SnapshotCache>.Instance);
}
