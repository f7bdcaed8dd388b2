using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Thaw.Cli.Commands;
using Thaw.Inference.Backends;
using Thaw.Inference.Catalog;
using Thaw.Inference.Embeddings;
using Thaw.Inference.Models;
using Thaw.Inference.Snapshots;
using Thaw.Inference.Sources;
using Thaw.Testing;

namespace Thaw.Cli.Tests;

/// <summary>
/// Prepared-model snapshots across the tiers and their faults, on the composed host: real ONNX Runtime, the real
/// model, and a real Azurite that these tests stop and start. Each "instance" is a host with a cache of its own.
/// </summary>
public sealed class SnapshotTierTests : IAsyncLifetime
{
    private const string Probe = "A snapshot must embed exactly like the source model.";
    private readonly Azurite _azurite = new();
    private readonly string _root = Directory.CreateTempSubdirectory("thaw-snapshot-tiers-").FullName;
    private readonly List<IHost> _hosts = [];

    public Task InitializeAsync() => _azurite.InitializeAsync();

    public async Task DisposeAsync()
    {
        foreach (IHost host in _hosts)
        {
            await host.Services.GetRequiredService<ModelHost>().DisposeAsync();
            host.Dispose();
        }

        await _azurite.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Load_InstancesRacingOnAnEmptyStore_ExactlyOneUploads_AllServe_NextInstanceUsesTheStore()
    {
        IHost[] racers = [Start("racer-0"), Start("racer-1"), Start("racer-2")];

        ModelStatus[] statuses = await Task.WhenAll(racers.Select(h => LoadAsync(h)));

        Assert.Single(statuses, s => s.SnapshotPublish == PublishOutcome.Published);
        Assert.All(statuses, s => Assert.Contains(s.SnapshotPublish, (PublishOutcome?[])[null, PublishOutcome.Published, PublishOutcome.PublishedByAnother, PublishOutcome.AlreadyPublished]));
        Assert.Single(await ManifestNamesAsync());
        float[][] served = await Task.WhenAll(racers.Select(EmbedAsync));

        IHost late = Start("late");
        ModelStatus lateStatus = await LoadAsync(late);

        Assert.Equal(FileTier.SnapshotStore, lateStatus.Timings!.FilesTier);
        Assert.False(lateStatus.Timings.SnapshotBuilt);
        Assert.Null(lateStatus.SnapshotPublish);
        float[] fromSnapshot = await EmbedAsync(late);
        Assert.All(served, vector => AssertClose(vector, fromSnapshot));
    }

    [Fact]
    public async Task Load_StoreDownAtStart_ServesFromTheOriginAndSaysSo_ThenTheNextLoadUsesTheStoreAgain()
    {
        await _azurite.StopAsync();
        IHost instance = Start("instance");

        ModelStatus down = await LoadAsync(instance);

        Assert.Equal(ModelState.Ready, down.State);
        Assert.Equal(FileTier.Origin, down.Timings!.FilesTier);
        Assert.Contains("cannot read", down.Timings.SnapshotStoreProblem, StringComparison.Ordinal);
        Assert.Equal(PublishOutcome.StoreUnavailable, down.SnapshotPublish);
        Assert.Equal(384, (await EmbedAsync(instance)).Length);

        await _azurite.StartAsync();
        ModelStatus back = await LoadAsync(instance, RealModels.ArcticXs);

        Assert.Null(back.Timings!.SnapshotStoreProblem);
        Assert.Equal(PublishOutcome.Published, back.SnapshotPublish);
    }

    [Fact]
    public async Task FindAsync_StoreStoppedMidDownload_LeavesNoPartialFile_AndTheLoadFallsBackToTheOrigin()
    {
        await LoadAsync(Start("publisher"));
        // Small ranged reads, one at a time: the download is still running when the store goes away.
        IHost instance = Start("instance", ("Thaw:Storage:DownloadChunkBytes", "65536"), ("Thaw:Storage:DownloadConcurrency", "1"));
        ModelManifest model = RealModels.LoadCatalog().Get(RealModels.MiniLm);
        SnapshotKey key = instance.Services.GetRequiredService<IEncoderBackend>().GetSnapshotKey(model)!;
        int stopped = 0;
        var stopOnFirstBytes = new InlineProgress(p =>
        {
            if (p.BytesDone > 0 && Interlocked.Exchange(ref stopped, 1) == 0)
            {
                _azurite.StopAsync().GetAwaiter().GetResult();
            }
        });

        SnapshotLookup lookup = await instance.Services.GetRequiredService<SnapshotCache>().FindAsync(key, model, stopOnFirstBytes);

        Assert.Equal(1, stopped);
        Assert.Null(lookup.Snapshot);
        Assert.NotNull(lookup.StoreProblem);
        string snapshots = Path.Combine(_root, "instance", "snapshots");
        Assert.Empty(Directory.Exists(snapshots) ? Directory.GetFileSystemEntries(snapshots, "*", SearchOption.AllDirectories).Where(p => !Directory.Exists(p)) : []);
        ModelStatus status = await LoadAsync(instance);
        Assert.Equal(ModelState.Ready, status.State);
        Assert.True(status.Timings!.SnapshotBuilt);
    }

    [Fact]
    public async Task Load_StoredSnapshotWithAFlippedByte_IsDetectedDeletedAndRebuilt_NeverLoaded()
    {
        float[] reference = await EmbedAsync(await LoadedAsync(Start("publisher")));
        SnapshotManifest manifest = await SingleManifestAsync();
        SnapshotFile weights = manifest.Files.Single(f => f.Name.EndsWith(".data", StringComparison.Ordinal));
        BlobClient blob = Container().GetBlobClient($"files/{weights.Sha256}");
        byte[] content = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        content[content.Length / 2] ^= 0x01;
        await blob.UploadAsync(BinaryData.FromBytes(content), overwrite: true);

        IHost second = Start("second");
        ModelStatus rebuilt = await LoadAsync(second);

        Assert.True(rebuilt.Timings!.SnapshotBuilt);
        Assert.Equal(PublishOutcome.Published, rebuilt.SnapshotPublish);
        AssertClose(reference, await EmbedAsync(second));
        IHost third = Start("third");
        ModelStatus fromStore = await LoadAsync(third);
        Assert.Equal(FileTier.SnapshotStore, fromStore.Timings!.FilesTier);
        AssertClose(reference, await EmbedAsync(third));
    }

    [Fact]
    public async Task Load_SnapshotsPreparedForAnotherRuntimeOrProvider_AreIgnored()
    {
        await LoadAsync(Start("publisher"));
        SnapshotManifest ours = await SingleManifestAsync();
        string ourName = SnapshotCache.GetDocumentName(ours.Key);
        // One built by another ONNX Runtime version, under its own key; and one at our key's name that says it was
        // prepared for CUDA (a tampered or mis-filed manifest).
        SnapshotKey otherRuntime = ours.Key with { Runtime = "onnxruntime 1.0.0" };
        await Container().GetBlobClient(SnapshotCache.GetDocumentName(otherRuntime)).UploadAsync(Serialize(ours, otherRuntime));
        await Container().GetBlobClient(ourName).UploadAsync(Serialize(ours, ours.Key with { ExecutionProvider = "cuda", Device = "sm90" }), overwrite: true);

        IHost instance = Start("instance");
        ModelStatus status = await LoadAsync(instance);

        Assert.True(status.Timings!.SnapshotBuilt);
        Assert.Equal(PublishOutcome.Published, status.SnapshotPublish);
        Assert.Equal(ours.Key, (await SingleManifestAsync(ourName)).Key);
        Assert.True(await Container().GetBlobClient(SnapshotCache.GetDocumentName(otherRuntime)).ExistsAsync());
    }

    [Fact]
    public async Task Load_TruncatedLocalSnapshot_IsDiscardedAndRebuilt()
    {
        IHost first = Start("machine", ("Thaw:Storage:ConnectionString", ""));
        await LoadAsync(first);
        string weights = Directory.GetFiles(Path.Combine(_root, "machine", "snapshots"), "*.data", SearchOption.AllDirectories).Single();
        await using (FileStream stream = File.OpenWrite(weights))
        {
            stream.SetLength(stream.Length / 2);
        }

        IHost restarted = Start("machine", ("Thaw:Storage:ConnectionString", ""));
        ModelStatus status = await LoadAsync(restarted);

        Assert.True(status.Timings!.SnapshotBuilt);
        AssertClose(await EmbedAsync(first), await EmbedAsync(restarted));
        IHost again = Start("machine", ("Thaw:Storage:ConnectionString", ""));
        Assert.False((await LoadAsync(again)).Timings!.SnapshotBuilt);
    }

    [Fact]
    public async Task Prewarm_TwoInstancesSharingACacheWithACorruptSnapshot_BothEndReady()
    {
        // Issue 11, item 11: one instance discarding the corrupt snapshot under the other's lookup once failed that
        // load, and the instance stayed unready until a request came. Each pre-warm now ends ready without one.
        (string Key, string Value)[] shared = [("Thaw:Storage:ConnectionString", ""), ("Thaw:Models:PrewarmRetryDelay", "00:00:00.100")];
        await LoadAsync(Start("machine", shared));
        string manifest = Directory.GetFiles(Path.Combine(_root, "machine", "snapshots"), SnapshotCache.ManifestFileName, SearchOption.AllDirectories).Single();
        await File.WriteAllTextAsync(manifest, "{ corrupt");
        ModelHost[] pools = [.. new[] { Start("machine", shared), Start("machine", shared) }.Select(h => h.Services.GetRequiredService<ModelHost>())];

        foreach (ModelHost pool in pools)
        {
            pool.Prewarm(RealModels.MiniLm);
        }

        await Eventually.WaitUntilAsync(() => pools.All(p => p.GetStatus(RealModels.MiniLm).State == ModelState.Ready));
        foreach (ModelHost pool in pools)
        {
            await pool.WhenBackgroundWorkDoneAsync();
        }

        Assert.All(pools, p => Assert.Equal((ModelState.Ready, null), (p.GetStatus(RealModels.MiniLm).State, p.GetStatus(RealModels.MiniLm).NextAttemptAt)));
        // The snapshot the two rebuilt is intact: a third instance loads it without building.
        Assert.False((await LoadAsync(Start("machine", shared))).Timings!.SnapshotBuilt);
    }

    private IHost Start(string instance, params (string Key, string Value)[] settings)
    {
        var overrides = new Dictionary<string, string?>
        {
            ["Thaw:CacheDirectory"] = Path.Combine(_root, instance),
            ["Thaw:Storage:ConnectionString"] = _azurite.ConnectionString,
            ["Thaw:Onnx:ExecutionProvider"] = "Cpu",
            ["Thaw:Batching:MaxBatchSize"] = "2",
            ["Logging:LogLevel:Default"] = "None",
        };
        foreach ((string key, string value) in settings)
        {
            overrides[key] = value;
        }

        IHost host = LocalHost.Build(overrides);
        _hosts.Add(host);
        return host;
    }

    /// <summary>Loads the model and waits for the snapshot work the load left in the background.</summary>
    private static async Task<ModelStatus> LoadAsync(IHost host, string modelId = RealModels.MiniLm)
    {
        ModelHost models = host.Services.GetRequiredService<ModelHost>();
        await models.LoadAsync(modelId);
        await models.WhenBackgroundWorkDoneAsync();
        return models.GetStatus(modelId);
    }

    private static async Task<IHost> LoadedAsync(IHost host)
    {
        await LoadAsync(host);
        return host;
    }

    private static async Task<float[]> EmbedAsync(IHost host)
    {
        EmbeddingModel model = await host.Services.GetRequiredService<ModelHost>().GetReadyAsync(RealModels.MiniLm);
        return model.Embed([Probe]).Vectors[0];
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max() < 1e-5, "the embeddings differ");
    }

    private BlobContainerClient Container() => new BlobServiceClient(_azurite.ConnectionString).GetBlobContainerClient("thaw-snapshots");

    private async Task<List<string>> ManifestNamesAsync()
    {
        var names = new List<string>();
        await foreach (BlobItem item in Container().GetBlobsAsync(new GetBlobsOptions { Prefix = "snapshots/" }))
        {
            if (item.Name.EndsWith(".json", StringComparison.Ordinal))
            {
                names.Add(item.Name);
            }
        }

        return names;
    }

    private async Task<SnapshotManifest> SingleManifestAsync(string? name = null)
    {
        name ??= Assert.Single(await ManifestNamesAsync());
        BinaryData json = (await Container().GetBlobClient(name).DownloadContentAsync()).Value.Content;
        return System.Text.Json.JsonSerializer.Deserialize(json.ToString(), SnapshotJsonContext.Default.SnapshotManifest)!;
    }

    private static BinaryData Serialize(SnapshotManifest manifest, SnapshotKey key) =>
        BinaryData.FromString(System.Text.Json.JsonSerializer.Serialize(
            new SnapshotManifest
            {
                Format = manifest.Format,
                Key = key,
                ModelFile = manifest.ModelFile,
                VocabFile = manifest.VocabFile,
                Files = manifest.Files,
                CreatedAt = manifest.CreatedAt,
                CreatedBy = manifest.CreatedBy,
                BuildMs = manifest.BuildMs,
            },
            SnapshotJsonContext.Default.SnapshotManifest));

    /// <summary>Reports on the reporting thread (Progress&lt;T&gt; would post to the thread pool, too late to act).</summary>
    private sealed class InlineProgress(Action<TransferProgress> report) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => report(value);
    }
}
