using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Thaw.Azure.Models;
using Thaw.Azure.Storage;
using Thaw.Inference.Catalog;
using Thaw.Inference.Settings;
using Thaw.Inference.Sources;
using Thaw.Inference.Storage;
using Thaw.Testing;

namespace Thaw.Azure.Tests;

/// <summary>Model files in Blob Storage (Azurite), fetched into the verified local cache.</summary>
public sealed class BlobModelSourceTests(Azurite azurite) : IClassFixture<Azurite>, IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("thaw-blob-cache-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    [Fact]
    public async Task EnsureAsync_BlobSource_FetchesTheRealModelFilesAndVerifiesThem()
    {
        ModelManifest manifest = await UploadMiniLmAsync("models", "minilm/v1");

        ModelFiles files = await CreateCache(azurite.ConnectionString).EnsureAsync(manifest);

        Assert.Equal(manifest.Files.Sum(f => f.Size), files.BytesFetched);
        Assert.Equal(manifest.GetFile(ModelFileRole.Model).Sha256, await VerifiedFile.HashAsync(files.ModelPath, default));
    }

    [Fact]
    public async Task EnsureAsync_BlobMissing_NamesTheBlob()
    {
        ModelManifest manifest = await UploadMiniLmAsync("models", "partial");
        await new BlobContainerClient(azurite.ConnectionString, "models").DeleteBlobAsync("partial/vocab.txt");

        var e = await Assert.ThrowsAsync<ModelSourceException>(() => CreateCache(azurite.ConnectionString).EnsureAsync(manifest));

        Assert.Contains("the vocab file blob models/partial/vocab.txt does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureAsync_BlobTampered_IsRefusedByHash()
    {
        ModelManifest manifest = await UploadMiniLmAsync("models", "tampered");
        await new BlobContainerClient(azurite.ConnectionString, "models").GetBlobClient("tampered/vocab.txt")
            .UploadAsync(BinaryData.FromString("[PAD]\n[UNK]\n"), overwrite: true);

        var e = await Assert.ThrowsAsync<ModelSourceException>(() => CreateCache(azurite.ConnectionString).EnsureAsync(manifest));

        Assert.Contains("corrupt or the wrong version", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_StorageNotConfigured_SaysWhichSettingIsMissing()
    {
        ModelManifest manifest = BlobManifest(RealModels.LoadCatalog().Get(RealModels.MiniLm), "models", "x");

        var e = await Assert.ThrowsAsync<ModelSourceException>(() => CreateCache(connectionString: null).EnsureAsync(manifest));

        Assert.Contains("neither Thaw:Storage:ConnectionString nor Thaw:Storage:ServiceUri is set", e.Message, StringComparison.Ordinal);
    }

    private async Task<ModelManifest> UploadMiniLmAsync(string container, string prefix)
    {
        ModelFiles local = await RealModels.EnsureFilesAsync(RealModels.MiniLm);
        var client = new BlobContainerClient(azurite.ConnectionString, container);
        await client.CreateIfNotExistsAsync();
        await client.GetBlobClient($"{prefix}/model.onnx").UploadAsync(local.ModelPath, overwrite: true);
        await client.GetBlobClient($"{prefix}/vocab.txt").UploadAsync(local.VocabPath, overwrite: true);
        return BlobManifest(RealModels.LoadCatalog().Get(RealModels.MiniLm), container, prefix);
    }

    private static ModelManifest BlobManifest(ModelManifest real, string container, string prefix) => real with
    {
        Source = new ModelSourceSpec { Kind = "blob", Container = container, Prefix = prefix },
        Files = real.Files.Select(f => f with { Location = f.Name }).ToArray(),
    };

    private ModelFileCache CreateCache(string? connectionString)
    {
        var source = new BlobModelSource(new BlobClients(Options.Create(new StorageOptions { ConnectionString = connectionString })));
        return new ModelFileCache([source], Options.Create(new CacheOptions { CacheDirectory = _cache }), NullLogger<ModelFileCache>.Instance);
    }
}
