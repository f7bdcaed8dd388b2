using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Inference.Catalog;
using Thaw.Inference.Settings;
using Thaw.Inference.Sources;
using Thaw.Inference.Storage;

namespace Thaw.Inference.Snapshots;

/// <summary>
/// Prepared-model snapshots by tier: this machine's disk (<c>{CacheDirectory}/snapshots/{model}/{key}/</c>) and the
/// shared snapshot store (the manifest <c>snapshots/{model}/{key}.json</c>, the files content-addressed beside the
/// source files). A snapshot becomes visible by atomic rename of its directory, or creation of its manifest in the
/// store, only once every file is verified; a corrupt one is deleted wherever it was found, so that it is rebuilt.
/// Its key names the source weights' hash, the runtime, provider, device, optimization and precision: one prepared for
/// anything else is never looked up, and one whose manifest says otherwise, whose vocabulary is not the catalog's, or
/// whose file names are not plain file names is discarded before any of its files is touched.
/// </summary>
public sealed partial class SnapshotCache(IOptions<CacheOptions> options, TimeProvider timeProvider, ILogger<SnapshotCache> logger, ISnapshotStore? store = null)
{
    public const string ManifestFileName = "snapshot.json";

    public ISnapshotStore? Store => store;

    /// <summary>Where this key's snapshot lives on this machine (it may not be there).</summary>
    public string GetDirectory(SnapshotKey key) => Path.Combine(options.Value.ResolveCacheDirectory(), "snapshots", key.ModelId, key.Id);

    /// <summary>The name of this key's manifest in the store.</summary>
    public static string GetDocumentName(SnapshotKey key) => $"snapshots/{key.ModelId}/{key.Id}.json";

    /// <summary>Looks for the snapshot on local disk, then in the store (landing it on local disk).</summary>
    /// <param name="key">What the snapshot must have been prepared for (the backend's key for <paramref name="model"/>).</param>
    /// <param name="model">The catalog's model: the snapshot must have been prepared from its source files.</param>
    /// <param name="progress">Receives each file's transfer progress.</param>
    /// <param name="cancellationToken">Stops the lookup.</param>
    public async Task<SnapshotLookup> FindAsync(
        SnapshotKey key, ModelManifest model, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (key.ModelId != model.Id || key.SourceSha256 != model.GetFile(ModelFileRole.Model).Sha256)
        {
            throw new ArgumentException($"Bug: the snapshot key of model '{key.ModelId}' does not name the catalog's model '{model.Id}' and its source weights.", nameof(key));
        }

        var expected = new Expected(key, model.GetFile(ModelFileRole.Vocab).Sha256);
        string directory = GetDirectory(key);
        AbandonedWork.Sweep(Path.GetDirectoryName(directory)!, timeProvider.GetUtcNow(), logger);
        (LocalSnapshot? local, long hashed) = await TryOpenLocalAsync(expected, directory, cancellationToken).ConfigureAwait(false);
        if (local is not null)
        {
            return new SnapshotLookup(local, FileTier.LocalDisk, 0, hashed, null);
        }

        if (store is null)
        {
            return new SnapshotLookup(null, FileTier.Origin, 0, hashed, null);
        }

        try
        {
            (LocalSnapshot? pulled, long fetched) = await TryPullAsync(store, expected, directory, progress, cancellationToken).ConfigureAwait(false);
            return new SnapshotLookup(pulled, pulled is null ? FileTier.Origin : FileTier.SnapshotStore, fetched, hashed + fetched, null);
        }
        catch (SnapshotStoreUnavailableException e)
        {
            // The store is an accelerator, never a dependency: build from the source weights and say why it was slower.
            LogStoreUnavailable(key.ModelId, e.Message);
            return new SnapshotLookup(null, FileTier.Origin, 0, hashed, e.Message);
        }
    }

    /// <summary>An empty directory for a backend to write a prepared model into; <see cref="CommitAsync"/> or <see cref="Abandon"/> it.</summary>
    public string BeginBuild(SnapshotKey key)
    {
        string staging = $"{GetDirectory(key)}.{Guid.NewGuid():N}.building";
        Directory.CreateDirectory(staging);
        return staging;
    }

    /// <summary>Discards a build directory.</summary>
    public static void Abandon(string staging)
    {
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>
    /// Completes a build: the backend wrote the prepared model (<paramref name="modelFile"/> and any weight files)
    /// into <paramref name="staging"/>; adds the vocabulary, hashes every file, writes the manifest and moves the
    /// directory into place. When another load on this machine committed the same key first, theirs is kept.
    /// </summary>
    public async Task<LocalSnapshot> CommitAsync(
        SnapshotKey key, string staging, string modelFile, string vocabPath, TimeSpan buildTime, CancellationToken cancellationToken = default)
    {
        try
        {
            string vocabFile = Path.GetFileName(vocabPath);
            File.Copy(vocabPath, Path.Combine(staging, vocabFile));
            if (!File.Exists(Path.Combine(staging, modelFile)))
            {
                throw new InvalidOperationException($"Bug: the backend reported '{modelFile}' as the prepared model but did not write it.");
            }

            var files = new List<SnapshotFile>();
            foreach (string path in Directory.GetFiles(staging).Order(StringComparer.Ordinal))
            {
                string sha256 = await VerifiedFile.HashAsync(path, cancellationToken).ConfigureAwait(false);
                VerifiedFile.WriteStamp(path, sha256);
                files.Add(new SnapshotFile(Path.GetFileName(path), sha256, new FileInfo(path).Length));
            }

            var manifest = new SnapshotManifest
            {
                Format = SnapshotManifest.CurrentFormat,
                Key = key,
                ModelFile = modelFile,
                VocabFile = vocabFile,
                Files = files,
                CreatedAt = timeProvider.GetUtcNow(),
                CreatedBy = Environment.MachineName,
                BuildMs = Math.Round(buildTime.TotalMilliseconds, 1),
            };
            string json = JsonSerializer.Serialize(manifest, SnapshotJsonContext.Default.SnapshotManifest);
            await File.WriteAllTextAsync(Path.Combine(staging, ManifestFileName), json, cancellationToken).ConfigureAwait(false);
            return MoveIntoPlace(staging, GetDirectory(key), manifest);
        }
        finally
        {
            Abandon(staging);
        }
    }

    /// <summary>
    /// Uploads a local snapshot for other instances: its files first, its manifest last (create-if-absent). Among
    /// instances racing to publish the same key, the one holding the store's lease uploads; the others do not.
    /// </summary>
    public async Task<PublishOutcome> PublishAsync(LocalSnapshot snapshot, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (store is null)
        {
            return PublishOutcome.NoStore;
        }

        SnapshotKey key = snapshot.Manifest.Key;
        string name = GetDocumentName(key);
        try
        {
            await using IAsyncDisposable? lease = await store.TryAcquireLeaseAsync(name, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                return PublishOutcome.PublishedByAnother;
            }

            if (await store.TryGetDocumentAsync(name, cancellationToken).ConfigureAwait(false) is not null)
            {
                return PublishOutcome.AlreadyPublished;
            }

            foreach (SnapshotFile file in snapshot.Manifest.Files)
            {
                long? stored = await store.GetSizeAsync(file.Sha256, cancellationToken).ConfigureAwait(false);
                if (stored == file.Size)
                {
                    continue;
                }

                if (stored is not null)
                {
                    // A truncated leftover under this hash would make every reader discard the snapshot.
                    await store.DeleteAsync(file.Sha256, cancellationToken).ConfigureAwait(false);
                }

                IProgress<long>? fileProgress = progress is null ? null : new FileProgress(progress, key.ModelId, file.Name, file.Size);
                await store.PutAsync(file.Sha256, Path.Combine(snapshot.Directory, file.Name), fileProgress, cancellationToken).ConfigureAwait(false);
            }

            string json = await File.ReadAllTextAsync(Path.Combine(snapshot.Directory, ManifestFileName), cancellationToken).ConfigureAwait(false);
            if (!await store.TryCreateDocumentAsync(name, json, cancellationToken).ConfigureAwait(false))
            {
                return PublishOutcome.AlreadyPublished;
            }

            LogPublished(key.ModelId, key.Id, snapshot.Manifest.Size / 1e6, store.DescribeDocument(name));
            return PublishOutcome.Published;
        }
        catch (SnapshotStoreUnavailableException e)
        {
            LogPublishFailed(key.ModelId, key.Id, e.Message);
            return PublishOutcome.StoreUnavailable;
        }
    }

    /// <summary>The snapshots on this machine, by model and key.</summary>
    public IReadOnlyList<SnapshotManifest> ListLocal()
    {
        string root = Path.Combine(options.Value.ResolveCacheDirectory(), "snapshots");
        if (!Directory.Exists(root))
        {
            return [];
        }

        return Directory.GetFiles(root, ManifestFileName, SearchOption.AllDirectories)
            .Select(TryRead)
            .OfType<SnapshotManifest>()
            .Where(m => m.Problem() is null)
            .ToList();

        // Another process may discard a snapshot while this one lists them.
        static SnapshotManifest? TryRead(string path)
        {
            try
            {
                return TryParse(File.ReadAllText(path));
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }
        }
    }

    /// <summary>The snapshots in the store (empty without one).</summary>
    /// <exception cref="SnapshotStoreUnavailableException">The store cannot be reached.</exception>
    public async Task<IReadOnlyList<SnapshotManifest>> ListStoredAsync(CancellationToken cancellationToken = default)
    {
        var manifests = new List<SnapshotManifest>();
        if (store is null)
        {
            return manifests;
        }

        await foreach (string name in store.ListDocumentsAsync("snapshots/", cancellationToken).ConfigureAwait(false))
        {
            if (await store.TryGetDocumentAsync(name, cancellationToken).ConfigureAwait(false) is { } json && TryParse(json) is { } manifest && manifest.Problem() is null)
            {
                manifests.Add(manifest);
            }
        }

        return manifests;
    }

    private async Task<(LocalSnapshot? Snapshot, long BytesHashed)> TryOpenLocalAsync(Expected expected, string directory, CancellationToken cancellationToken)
    {
        string manifestPath = Path.Combine(directory, ManifestFileName);
        if (!File.Exists(manifestPath))
        {
            return (null, 0);
        }

        long hashed = 0;
        string? problem;
        SnapshotManifest? manifest;
        try
        {
            manifest = TryParse(await File.ReadAllTextAsync(manifestPath, cancellationToken).ConfigureAwait(false));
            problem = Check(manifest, expected);
            foreach (SnapshotFile file in problem is null ? manifest!.Files : [])
            {
                (bool intact, long bytes) = await VerifiedFile.CheckAsync(Path.Combine(directory, file.Name), file.Sha256, file.Size, cancellationToken).ConfigureAwait(false);
                hashed += bytes;
                if (!intact)
                {
                    problem = $"{file.Name} is missing, truncated or does not match its SHA-256";
                    break;
                }
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Another process sharing this cache discarded it meanwhile: a miss, as if it had never been there.
            return (null, hashed);
        }

        if (problem is null)
        {
            return (new LocalSnapshot(directory, manifest!), hashed);
        }

        LogLocalDiscarded(expected.Key.ModelId, directory, problem);
        Discard(directory);
        return (null, hashed);
    }

    private async Task<(LocalSnapshot? Snapshot, long BytesFetched)> TryPullAsync(
        ISnapshotStore source, Expected expected, string directory, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        SnapshotKey key = expected.Key;
        string name = GetDocumentName(key);
        string? json = await source.TryGetDocumentAsync(name, cancellationToken).ConfigureAwait(false);
        if (json is null)
        {
            return (null, 0);
        }

        SnapshotManifest? manifest = TryParse(json);
        if (Check(manifest, expected) is { } problem)
        {
            LogStoredDiscarded(key.ModelId, source.DescribeDocument(name), problem);
            await source.DeleteDocumentAsync(name, cancellationToken).ConfigureAwait(false);
            return (null, 0);
        }

        string staging = $"{directory}.{Guid.NewGuid():N}.pulling";
        Directory.CreateDirectory(staging);
        try
        {
            long fetched = 0;
            foreach (SnapshotFile file in manifest!.Files)
            {
                IProgress<long>? fileProgress = progress is null ? null : new FileProgress(progress, key.ModelId, file.Name, file.Size);
                VerifiedFile.Landing landing = await VerifiedFile.LandAsync(file.Sha256, file.Size, Path.Combine(staging, file.Name),
                    partial => source.TryFetchAsync(file.Sha256, partial, fileProgress, cancellationToken), cancellationToken).ConfigureAwait(false);
                fetched += landing.Size;
                if (landing.Published)
                {
                    continue;
                }

                // Missing or corrupt: the snapshot is unusable for every instance. Remove it so that it is rebuilt.
                LogStoredDiscarded(key.ModelId, source.DescribeDocument(name),
                    landing.Found ? $"{file.Name} ({source.Describe(file.Sha256)}) does not match its SHA-256" : $"{file.Name} ({source.Describe(file.Sha256)}) is missing");
                await source.DeleteDocumentAsync(name, cancellationToken).ConfigureAwait(false);
                if (landing.Found)
                {
                    await source.DeleteAsync(file.Sha256, cancellationToken).ConfigureAwait(false);
                }

                return (null, fetched);
            }

            await File.WriteAllTextAsync(Path.Combine(staging, ManifestFileName), json, cancellationToken).ConfigureAwait(false);
            return (MoveIntoPlace(staging, directory, manifest), fetched);
        }
        finally
        {
            Abandon(staging);
        }
    }

    /// <summary>Publishes a complete staging directory by atomic rename; keeps a complete one already there.</summary>
    private static LocalSnapshot MoveIntoPlace(string staging, string directory, SnapshotManifest manifest)
    {
        string existing = Path.Combine(directory, ManifestFileName);
        if (Directory.Exists(directory) && !File.Exists(existing))
        {
            Discard(directory);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(directory)!);
        // The rename publishes every file in the directory at once, so each must be on disk before it (AtomicFile).
        foreach (string file in Directory.EnumerateFiles(staging))
        {
            AtomicFile.FlushToDisk(file);
        }

        try
        {
            Directory.Move(staging, directory);
            return new LocalSnapshot(directory, manifest);
        }
        catch (IOException) when (File.Exists(existing) && TryParse(File.ReadAllText(existing)) is { } theirs && theirs.Problem() is null)
        {
            return new LocalSnapshot(directory, theirs);
        }
    }

    /// <summary>
    /// Removes a snapshot directory that another process sharing the cache may be removing too: one of them wins the
    /// rename, and only the winner deletes.
    /// </summary>
    private static void Discard(string directory)
    {
        string trash = $"{directory}.{Guid.NewGuid():N}.discarded";
        try
        {
            Directory.Move(directory, trash);
        }
        catch (DirectoryNotFoundException)
        {
            return;
        }

        Directory.Delete(trash, recursive: true);
    }

    /// <summary>
    /// Why a manifest cannot serve this lookup, or null. The key ties the prepared graph to the catalog's source
    /// weights (their SHA-256 is part of it); the vocabulary is a source file copied as is, so its hash must be the
    /// catalog's.
    /// </summary>
    private static string? Check(SnapshotManifest? manifest, Expected expected) =>
        manifest is null ? "its manifest cannot be read"
        : manifest.Format != SnapshotManifest.CurrentFormat ? $"its format is {manifest.Format}, this version reads {SnapshotManifest.CurrentFormat}"
        : manifest.Problem() is { } problem ? problem
        : manifest.Key != expected.Key ? $"it was prepared for {manifest.Key.Describe()} from weights {manifest.Key.SourceSha256}, not {expected.Key.Describe()} from {expected.Key.SourceSha256}"
        : manifest.Files.First(f => f.Name == manifest.VocabFile).Sha256 != expected.VocabSha256 ? "its vocabulary is not the catalog's (SHA-256 differs)"
        : null;

    private static SnapshotManifest? TryParse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, SnapshotJsonContext.Default.SnapshotManifest);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>What a lookup accepts: the backend's key, and the catalog's vocabulary.</summary>
    private sealed record Expected(SnapshotKey Key, string VocabSha256);

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "Model {ModelId}: the snapshot store is unavailable ({Reason}); preparing the model here")]
    private partial void LogStoreUnavailable(string modelId, string reason);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "Model {ModelId}: discarded the local snapshot {Directory}: {Problem}")]
    private partial void LogLocalDiscarded(string modelId, string directory, string problem);

    [LoggerMessage(EventId = 112, Level = LogLevel.Warning, Message = "Model {ModelId}: deleted the snapshot {Snapshot} from the store, it will be rebuilt: {Problem}")]
    private partial void LogStoredDiscarded(string modelId, string snapshot, string problem);

    [LoggerMessage(EventId = 113, Level = LogLevel.Information, Message = "Model {ModelId}: published snapshot {Key} ({Megabytes:0.0} MB) to {Snapshot}")]
    private partial void LogPublished(string modelId, string key, double megabytes, string snapshot);

    [LoggerMessage(EventId = 114, Level = LogLevel.Warning, Message = "Model {ModelId}: could not publish snapshot {Key}, the next load tries again: {Reason}")]
    private partial void LogPublishFailed(string modelId, string key, string reason);
}
