using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Inference.Catalog;
using Thaw.Inference.Hosting;

namespace Thaw.Inference.Sources;

/// <summary>
/// The local disk tier for model files, <c>{CacheDirectory}/models/{id}/{sha256}/{name}</c>, filled from the
/// snapshot store (when one is configured) and else from the model's origin, which then fills the store for the
/// next instance. A file becomes visible only by atomic rename after its SHA-256 matched the manifest, so a crash
/// never leaves a half file that looks whole; a cached file is re-hashed before each load and fetched again if it
/// rotted; a corrupt snapshot is deleted and rebuilt from the origin; an unreachable store is skipped and reported.
/// </summary>
public sealed partial class ModelFileCache
{
    private readonly Dictionary<string, IModelSource> _sources;
    private readonly IOptions<ThawOptions> _options;
    private readonly ILogger<ModelFileCache> _logger;
    private readonly ISnapshotStore? _snapshots;

    public ModelFileCache(IEnumerable<IModelSource> sources, IOptions<ThawOptions> options, ILogger<ModelFileCache> logger, ISnapshotStore? snapshots = null)
    {
        _sources = sources.ToDictionary(s => s.Kind, StringComparer.Ordinal);
        _options = options;
        _logger = logger;
        _snapshots = snapshots;
    }

    /// <summary>Returns the model's files on local disk, fetching from the origin what the cache lacks.</summary>
    /// <exception cref="ModelSourceException">A file is missing at its origin or its content does not match the manifest.</exception>
    /// <param name="model">The model.</param>
    /// <param name="progress">Receives each file's transfer progress (nothing for files already cached).</param>
    /// <param name="cancellationToken">Stops the transfers; partial files are removed.</param>
    public async Task<ModelFiles> EnsureAsync(ModelManifest model, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!_sources.TryGetValue(model.Source.Kind, out IModelSource? source))
        {
            throw new ModelSourceException(model.Id,
                $"no source of kind '{model.Source.Kind}' is registered in this host (known: {string.Join(", ", _sources.Keys)}).");
        }

        var paths = new Dictionary<ModelFileRole, string>();
        long fetched = 0, verified = 0;
        FileTier slowest = FileTier.LocalDisk;
        string? storeProblem = null;
        foreach (ModelFileSpec file in model.Files)
        {
            string path = GetCachePath(model, file);
            string directory = Path.GetDirectoryName(path)!;
            paths[file.Role] = path;
            verified += file.Size;
            if (File.Exists(path))
            {
                if (await HashFileAsync(path, cancellationToken).ConfigureAwait(false) == file.Sha256)
                {
                    continue;
                }

                LogCachedFileCorrupt(model.Id, file.Name);
                File.Delete(path);
            }

            Directory.CreateDirectory(directory);
            fetched += file.Size;
            IProgress<long>? fileProgress = progress is null ? null : new Progress(progress, model.Id, file);
            (FileTier tier, string? problem) = await FillAsync(source, model, file, path, fileProgress, cancellationToken).ConfigureAwait(false);
            slowest = (FileTier)Math.Max((int)slowest, (int)tier);
            storeProblem ??= problem;
        }

        return new ModelFiles(paths, slowest, fetched, verified, storeProblem);
    }

    /// <summary>Where a file lives in this instance's cache (it may not be there yet).</summary>
    public string GetCachePath(ModelManifest model, ModelFileSpec file) =>
        Path.Combine(_options.Value.ResolveCacheDirectory(), "models", model.Id, file.Sha256, file.Name);

    /// <summary>Fills one missing file: from the snapshot store if it holds it, else from the origin (then publishes it).</summary>
    private async Task<(FileTier Tier, string? StoreProblem)> FillAsync(
        IModelSource source, ModelManifest model, ModelFileSpec file, string path, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        if (_snapshots is null)
        {
            await FetchAsync(source, model, file, path, progress, cancellationToken).ConfigureAwait(false);
            return (FileTier.Origin, null);
        }

        try
        {
            if (await TryFetchSnapshotAsync(_snapshots, model, file, path, progress, cancellationToken).ConfigureAwait(false))
            {
                return (FileTier.SnapshotStore, null);
            }

            await FetchAsync(source, model, file, path, progress, cancellationToken).ConfigureAwait(false);
            await _snapshots.PutAsync(file.Sha256, path, cancellationToken: cancellationToken).ConfigureAwait(false);
            LogPublished(model.Id, file.Name, _snapshots.Describe(file.Sha256));
            return (FileTier.Origin, null);
        }
        catch (SnapshotStoreUnavailableException e)
        {
            // The store is an accelerator, never a dependency: serve from the origin and say why it was slower.
            LogStoreUnavailable(model.Id, e.Message);
            if (!File.Exists(path))
            {
                await FetchAsync(source, model, file, path, progress, cancellationToken).ConfigureAwait(false);
            }

            return (FileTier.Origin, e.Message);
        }
    }

    private async Task<bool> TryFetchSnapshotAsync(
        ISnapshotStore store, ModelManifest model, ModelFileSpec file, string path, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        Landing landing = await LandAsync(file, path, partial => store.TryFetchAsync(file.Sha256, partial, progress, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        if (!landing.Found || landing.Published)
        {
            return landing.Published;
        }

        LogSnapshotCorrupt(model.Id, file.Name, store.Describe(file.Sha256));
        await store.DeleteAsync(file.Sha256, cancellationToken).ConfigureAwait(false);
        return false;
    }

    private async Task FetchAsync(IModelSource source, ModelManifest model, ModelFileSpec file, string path, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        LogFetching(model.Id, file.Name, source.Describe(model, file));
        Landing landing = await LandAsync(file, path, async partial =>
        {
            await source.FetchAsync(model, file, partial, progress, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        if (!landing.Published)
        {
            throw new ModelSourceException(model.Id,
                $"the {file.Role.ToString().ToLowerInvariant()} file '{file.Name}' from {source.Describe(model, file)} is corrupt or the wrong version: " +
                $"got {landing.Size} bytes with SHA-256 {landing.Hash}, the manifest says {file.Size} bytes with SHA-256 {file.Sha256}.");
        }
    }

    /// <summary>
    /// The one way a file enters the cache, whatever tier it comes from: <paramref name="fill"/> writes a fresh partial
    /// file (or answers false: nothing there), its size and SHA-256 are checked, and only a match is published at
    /// <paramref name="path"/> by atomic rename. The partial file never survives.
    /// </summary>
    private static async Task<Landing> LandAsync(ModelFileSpec file, string path, Func<string, Task<bool>> fill, CancellationToken cancellationToken)
    {
        string partial = $"{path}.{Guid.NewGuid():N}.partial";
        try
        {
            if (!await fill(partial).ConfigureAwait(false))
            {
                return new Landing(Found: false, Published: false, 0, "");
            }

            long size = new FileInfo(partial).Length;
            string hash = await HashFileAsync(partial, cancellationToken).ConfigureAwait(false);
            bool matches = size == file.Size && hash == file.Sha256;
            if (matches)
            {
                File.Move(partial, path, overwrite: true);
            }

            return new Landing(Found: true, matches, size, hash);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    /// <summary>Lower-case hex SHA-256 of a file, as in the manifests.</summary>
    public static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }

    private readonly record struct Landing(bool Found, bool Published, long Size, string Hash);

    /// <summary>Turns a file's byte count into a <see cref="TransferProgress"/>.</summary>
    private sealed class Progress(IProgress<TransferProgress> target, string modelId, ModelFileSpec file) : IProgress<long>
    {
        public void Report(long value) => target.Report(new TransferProgress(modelId, file.Name, value, file.Size));
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Model {ModelId}: fetching {FileName} from {Origin}")]
    private partial void LogFetching(string modelId, string fileName, string origin);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Model {ModelId}: cached {FileName} does not match its SHA-256; discarding it and fetching it again")]
    private partial void LogCachedFileCorrupt(string modelId, string fileName);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Model {ModelId}: published {FileName} to {Snapshot}")]
    private partial void LogPublished(string modelId, string fileName, string snapshot);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Model {ModelId}: {Snapshot} ({FileName}) does not match its SHA-256; deleted it, rebuilding from the origin")]
    private partial void LogSnapshotCorrupt(string modelId, string fileName, string snapshot);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Model {ModelId}: the snapshot store is unavailable ({Reason}); serving from the origin")]
    private partial void LogStoreUnavailable(string modelId, string reason);
}
