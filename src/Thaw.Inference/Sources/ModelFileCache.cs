using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Inference.Catalog;
using Thaw.Inference.Settings;
using Thaw.Inference.Storage;

namespace Thaw.Inference.Sources;

/// <summary>
/// The local disk tier for model files, <c>{CacheDirectory}/models/{id}/{sha256}/{name}</c>, filled from the
/// snapshot store (when one is configured) and else from the model's origin, which then fills the store for the
/// next instance. A file becomes visible only by atomic rename after its SHA-256 matched the manifest, so a crash
/// never leaves a half file that looks whole; a cached file that was rewritten or truncated since it was verified is
/// re-hashed and fetched again if it rotted (see <see cref="VerifiedFile"/>); a corrupt copy in the store is deleted
/// and rebuilt from the origin; an unreachable store is skipped and reported.
/// </summary>
public sealed partial class ModelFileCache
{
    private readonly Dictionary<string, IModelSource> _sources;
    private readonly IOptions<CacheOptions> _options;
    private readonly ILogger<ModelFileCache> _logger;
    private readonly ISnapshotStore? _snapshots;
    private readonly TimeProvider _time;

    public ModelFileCache(
        IEnumerable<IModelSource> sources, IOptions<CacheOptions> options, ILogger<ModelFileCache> logger, ISnapshotStore? snapshots = null, TimeProvider? timeProvider = null)
    {
        _sources = sources.ToDictionary(s => s.Kind, StringComparer.Ordinal);
        _options = options;
        _logger = logger;
        _snapshots = snapshots;
        _time = timeProvider ?? TimeProvider.System;
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
            AbandonedWork.Sweep(directory, _time.GetUtcNow(), _logger);
            if (File.Exists(path))
            {
                (bool intact, long hashed) = await VerifiedFile.CheckAsync(path, file.Sha256, file.Size, cancellationToken).ConfigureAwait(false);
                verified += hashed;
                if (intact)
                {
                    continue;
                }

                LogCachedFileCorrupt(model.Id, file.Name);
                VerifiedFile.Delete(path);
            }

            Directory.CreateDirectory(directory);
            fetched += file.Size;
            verified += file.Size;
            IProgress<long>? fileProgress = progress is null ? null : new FileProgress(progress, model.Id, file.Name, file.Size);
            (FileTier tier, string? problem) = await FillAsync(source, model, file, path, fileProgress, cancellationToken).ConfigureAwait(false);
            slowest = (FileTier)Math.Max((int)slowest, (int)tier);
            storeProblem ??= problem;
        }

        return new ModelFiles(paths, slowest, fetched, verified, storeProblem);
    }

    /// <summary>Where a file lives in this instance's cache (it may not be there yet).</summary>
    /// <exception cref="ModelSourceException">The manifest names the file with something other than a plain file name.</exception>
    public string GetCachePath(ModelManifest model, ModelFileSpec file)
    {
        // A graph names its external data file relative to itself, so that file lives in the graph's folder (keyed by
        // the graph's hash, which changes whenever the data's offsets do); every other file in a folder of its own hash.
        string folder = file.Role == ModelFileRole.ModelData && model.FindFile(ModelFileRole.Model) is { } graph ? graph.Sha256 : file.Sha256;
        // The catalog checks this at start; a manifest built another way must not reach outside the cache either.
        if ((PlainFileName.Check(model.Id) ?? PlainFileName.Check(folder) ?? PlainFileName.Check(file.Name)) is { } problem)
        {
            throw new ModelSourceException(model.Id, $"its id, a file's name or a file's sha256 is not a plain file name ({problem}).");
        }

        return Path.Combine(_options.Value.ResolveCacheDirectory(), "models", model.Id, folder, file.Name);
    }

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
        VerifiedFile.Landing landing = await VerifiedFile.LandAsync(file.Sha256, file.Size, path, partial => store.TryFetchAsync(file.Sha256, partial, progress, cancellationToken), cancellationToken)
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
        VerifiedFile.Landing landing = await VerifiedFile.LandAsync(file.Sha256, file.Size, path, async partial =>
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
