using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Thaw.Inference.Catalog;
using Thaw.Inference.Settings;
using Thaw.Inference.Snapshots;
using Thaw.Inference.Sources;
using Thaw.Testing;

namespace Thaw.Inference.Tests.Sources;

/// <summary>What a killed process leaves in the cache is removed by the next lookup once it is surely abandoned, never before.</summary>
public sealed class AbandonedWorkTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("thaw-abandoned-").FullName;
    private readonly CacheOptions _options;
    private readonly ModelManifest _model;

    public AbandonedWorkTests()
    {
        _options = new CacheOptions { CacheDirectory = Path.Combine(_root, "cache") };
        _model = TestManifests.WritePathModel(Path.Combine(_root, "catalog"), "m1", "weights", "vocab");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task FindAsync_StagingDirectoriesOfAKilledProcess_RemovesOnlyThoseOlderThanADay()
    {
        var snapshots = new SnapshotCache(Options.Create(_options), TimeProvider.System, NullLogger<SnapshotCache>.Instance);
        SnapshotKey key = TestSnapshots.Key(_model);
        string target = snapshots.GetDirectory(key);
        string building = Work(target, "building", ageDays: 2, directory: true);
        string pulling = Work(target, "pulling", ageDays: 1.5, directory: true);
        string discarded = Work(target, "discarded", ageDays: 3, directory: true);
        string running = Work(target, "building", ageDays: 0.5, directory: true);
        string unrelated = Path.Combine(Path.GetDirectoryName(target)!, "kept.building");
        Directory.CreateDirectory(unrelated);
        Directory.SetLastWriteTimeUtc(unrelated, DateTime.UtcNow.AddDays(-10));

        await snapshots.FindAsync(key, _model);

        Assert.False(Directory.Exists(building));
        Assert.False(Directory.Exists(pulling));
        Assert.False(Directory.Exists(discarded));
        Assert.True(Directory.Exists(running), "another process may still be building there");
        Assert.True(Directory.Exists(unrelated), "not a name Thaw's work directories have");
    }

    [Fact]
    public async Task EnsureAsync_PartialDownloadOfAKilledProcess_IsRemovedAndTheFileStillLands()
    {
        ModelFileCache files = new([new LocalPathModelSource()], Options.Create(_options), NullLogger<ModelFileCache>.Instance);
        string path = files.GetCachePath(_model, _model.GetFile(ModelFileRole.Model));
        string stale = Work(path, "partial", ageDays: 2, directory: false);
        string fresh = Work(path, "partial", ageDays: 0.1, directory: false);

        ModelFiles landed = await files.EnsureAsync(_model);

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
        Assert.Equal("weights", File.ReadAllText(landed.ModelPath));
    }

    private static string Work(string target, string kind, double ageDays, bool directory)
    {
        string path = $"{target}.{Guid.NewGuid():N}.{kind}";
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (directory)
        {
            Directory.CreateDirectory(path);
            File.WriteAllText(Path.Combine(path, "model.onnx"), "half a model");
            Directory.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddDays(-ageDays));
        }
        else
        {
            File.WriteAllText(path, "half a file");
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddDays(-ageDays));
        }

        return path;
    }
}
