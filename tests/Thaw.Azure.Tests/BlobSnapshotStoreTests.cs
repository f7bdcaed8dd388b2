using System.Net;
using System.Net.Sockets;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Thaw.Azure.Snapshots;
using Thaw.Azure.Storage;
using Thaw.Inference.Catalog;
using Thaw.Inference.Settings;
using Thaw.Inference.Snapshots;
using Thaw.Inference.Sources;
using Thaw.Testing;

namespace Thaw.Azure.Tests;

/// <summary>The shared tier between an instance's disk and the origin, on Azurite.</summary>
public sealed class BlobSnapshotStoreTests(Azurite azurite) : IClassFixture<Azurite>, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("thaw-snapshots-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task SecondInstance_GetsTheFilesFromTheStoreNotTheOrigin()
    {
        ModelManifest model = TestManifests.WritePathModel(_root, "m1", $"weights {Guid.NewGuid()}", "vocab one");

        ModelFiles first = await Cache("instance-a", azurite.ConnectionString).EnsureAsync(model);
        File.Delete(Path.Combine(_root, "m1", "model.onnx"));
        File.Delete(Path.Combine(_root, "m1", "vocab.txt"));
        ModelFiles second = await Cache("instance-b", azurite.ConnectionString).EnsureAsync(model);

        Assert.Equal((FileTier.Origin, FileTier.SnapshotStore), (first.Tier, second.Tier));
        Assert.Equal(await File.ReadAllTextAsync(first.ModelPath), await File.ReadAllTextAsync(second.ModelPath));
        Assert.Null(second.SnapshotStoreProblem);
    }

    [Fact]
    public async Task CorruptSnapshot_IsDeletedAndRebuiltFromTheOrigin()
    {
        string weights = $"weights {Guid.NewGuid()}";
        ModelManifest model = TestManifests.WritePathModel(_root, "m1", weights, "vocab two");
        BlobContainerClient container = new(azurite.ConnectionString, new StorageOptions().SnapshotContainer);
        await container.CreateIfNotExistsAsync();
        BlobClient blob = container.GetBlobClient($"files/{TestManifests.Sha256(weights)}");
        await blob.UploadAsync(BinaryData.FromString("tampered"), overwrite: true);

        ModelFiles files = await Cache("instance-a", azurite.ConnectionString).EnsureAsync(model);

        Assert.Equal(FileTier.Origin, files.Tier);
        Assert.Equal(weights, await File.ReadAllTextAsync(files.ModelPath));
        Assert.Equal(weights, (await blob.DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task UnreachableStore_ServesFromTheOriginAndSaysWhy()
    {
        ModelManifest model = TestManifests.WritePathModel(_root, "m1", $"weights {Guid.NewGuid()}", "vocab three");
        string unreachable = azurite.ConnectionString.Replace(new Uri(azurite.ConnectionString.Split("BlobEndpoint=")[1].Split(';')[0]).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), ClosedPort().ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        ModelFiles files = await Cache("instance-a", unreachable).EnsureAsync(model);

        Assert.Equal(FileTier.Origin, files.Tier);
        Assert.StartsWith("cannot read blob thaw-snapshots/files/", files.SnapshotStoreProblem, StringComparison.Ordinal);
        Assert.True(File.Exists(files.VocabPath));
    }

    [Fact]
    public async Task FindAsync_StoredManifestNamingAFileOutsideTheCache_IsDeletedFromTheStore_AndNothingIsWritten()
    {
        ModelManifest model = TestManifests.WritePathModel(_root, "m1", $"weights {Guid.NewGuid()}", "vocab four");
        SnapshotKey key = TestSnapshots.Key(model);
        const string Hostile = "../../../../escaped.onnx";
        BlobContainerClient container = await ContainerAsync();
        await container.GetBlobClient($"files/{TestManifests.Sha256("prepared")}").UploadAsync(BinaryData.FromString("prepared"), overwrite: true);
        await container.GetBlobClient($"files/{TestManifests.Sha256("vocab four")}").UploadAsync(BinaryData.FromString("vocab four"), overwrite: true);
        BlobClient manifest = container.GetBlobClient(SnapshotCache.GetDocumentName(key));
        await manifest.UploadAsync(BinaryData.FromString(TestSnapshots.Json(
            TestSnapshots.Manifest(key, Hostile, "vocab.txt", TestSnapshots.File(Hostile, "prepared"), TestSnapshots.File("vocab.txt", "vocab four")))), overwrite: true);

        SnapshotLookup lookup = await Snapshots("instance-a").FindAsync(key, model);

        Assert.Null(lookup.Snapshot);
        Assert.Empty(Directory.GetFiles(_root, "escaped.onnx*", SearchOption.AllDirectories));
        Assert.False((await manifest.ExistsAsync()).Value);
    }

    [Fact]
    public async Task FindAsync_StoredManifestWhoseHashNamesAnotherBlob_NeitherReadsNorDeletesThatBlob()
    {
        ModelManifest model = TestManifests.WritePathModel(_root, "m1", $"weights {Guid.NewGuid()}", "vocab five");
        SnapshotKey key = TestSnapshots.Key(model);
        BlobContainerClient container = await ContainerAsync();
        BlobClient victim = container.GetBlobClient($"victim-{Guid.NewGuid():N}.json");
        await victim.UploadAsync(BinaryData.FromString("someone else's"), overwrite: true);
        await container.GetBlobClient($"files/{TestManifests.Sha256("vocab five")}").UploadAsync(BinaryData.FromString("vocab five"), overwrite: true);
        SnapshotManifest hostile = TestSnapshots.Manifest(key, "prepared.onnx", "vocab.txt",
            new SnapshotFile("prepared.onnx", $"../{victim.Name}", 14), TestSnapshots.File("vocab.txt", "vocab five"));
        await container.GetBlobClient(SnapshotCache.GetDocumentName(key)).UploadAsync(BinaryData.FromString(TestSnapshots.Json(hostile)), overwrite: true);

        SnapshotLookup lookup = await Snapshots("instance-a").FindAsync(key, model);

        Assert.Null(lookup.Snapshot);
        Assert.True((await victim.ExistsAsync()).Value);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AddThawAzure_RegistersTheSnapshotStoreOnlyWithAConnectionString(bool configured)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        if (configured)
        {
            builder.Configuration["Thaw:Storage:ConnectionString"] = azurite.ConnectionString;
        }

        builder.AddThawAzure();
        using IHost host = builder.Build();

        Assert.Equal(configured, host.Services.GetService<ISnapshotStore>() is BlobSnapshotStore);
    }

    [Fact]
    public void ServiceUri_UsesTheManagedIdentityWithoutAnyKeyInConfiguration()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration["Thaw:Storage:ServiceUri"] = "https://thawexample.blob.core.windows.net";
        builder.AddThawAzure();
        using IHost host = builder.Build();

        BlobServiceClient? service = host.Services.GetRequiredService<BlobClients>().Service;

        Assert.NotNull(service);
        Assert.Equal("thawexample", service.AccountName);
        Assert.False(service.CanGenerateAccountSasUri);
        Assert.IsType<BlobSnapshotStore>(host.Services.GetService<ISnapshotStore>());
    }

    private async Task<BlobContainerClient> ContainerAsync()
    {
        BlobContainerClient container = new(azurite.ConnectionString, new StorageOptions().SnapshotContainer);
        await container.CreateIfNotExistsAsync();
        return container;
    }

    private SnapshotCache Snapshots(string instance)
    {
        var cache = new CacheOptions { CacheDirectory = Path.Combine(_root, instance) };
        var clients = new BlobClients(Options.Create(new StorageOptions { ConnectionString = azurite.ConnectionString }));
        return new SnapshotCache(Options.Create(cache), TimeProvider.System, NullLogger<SnapshotCache>.Instance, new BlobSnapshotStore(clients, TimeProvider.System));
    }

    private ModelFileCache Cache(string instance, string connectionString)
    {
        var cache = new CacheOptions { CacheDirectory = Path.Combine(_root, instance) };
        var clients = new BlobClients(Options.Create(new StorageOptions { ConnectionString = connectionString }));
        return new ModelFileCache([new PathSource()], Options.Create(cache), NullLogger<ModelFileCache>.Instance, new BlobSnapshotStore(clients, TimeProvider.System));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The origin: plain files in a folder (the real local-path source is internal to the core).</summary>
    private sealed class PathSource : IModelSource
    {
        public string Kind => "path";

        public string Describe(ModelManifest model, ModelFileSpec file) => Path.Combine(model.Directory, model.Source.Path!, file.Location);

        public Task FetchAsync(ModelManifest model, ModelFileSpec file, string destinationPath, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
        {
            string path = Describe(model, file);
            if (!File.Exists(path))
            {
                throw new ModelSourceException(model.Id, $"'{path}' does not exist.");
            }

            File.Copy(path, destinationPath);
            return Task.CompletedTask;
        }
    }
}
