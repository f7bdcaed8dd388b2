using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Inference.Catalog;
using Thaw.Inference.Hosting;

namespace Thaw.Inference.Sources;

/// <summary>
/// The local disk tier for model files: <c>{CacheDirectory}/models/{id}/{sha256}/{name}</c>. A file becomes
/// visible only by atomic rename after its SHA-256 matched the manifest, so a crash never leaves a half file
/// that looks whole; a cached file is re-hashed before each load and re-fetched from the origin if it rotted.
/// </summary>
public sealed partial class ModelFileCache
{
    private readonly Dictionary<string, IModelSource> _sources;
    private readonly IOptions<ThawOptions> _options;
    private readonly ILogger<ModelFileCache> _logger;

    public ModelFileCache(IEnumerable<IModelSource> sources, IOptions<ThawOptions> options, ILogger<ModelFileCache> logger)
    {
        _sources = sources.ToDictionary(s => s.Kind, StringComparer.Ordinal);
        _options = options;
        _logger = logger;
    }

    /// <summary>Returns the model's files on local disk, fetching from the origin what the cache lacks.</summary>
    /// <exception cref="ModelSourceException">A file is missing at its origin or its content does not match the manifest.</exception>
    public async Task<ModelFiles> EnsureAsync(ModelManifest model, CancellationToken cancellationToken = default)
    {
        if (!_sources.TryGetValue(model.Source.Kind, out IModelSource? source))
        {
            throw new ModelSourceException(model.Id,
                $"no source of kind '{model.Source.Kind}' is registered in this host (known: {string.Join(", ", _sources.Keys)}).");
        }

        var paths = new Dictionary<ModelFileRole, string>();
        long fetched = 0, verified = 0;
        foreach (ModelFileSpec file in model.Files)
        {
            string directory = Path.Combine(_options.Value.ResolveCacheDirectory(), "models", model.Id, file.Sha256);
            string path = Path.Combine(directory, file.Name);
            if (File.Exists(path))
            {
                verified += file.Size;
                if (await HashFileAsync(path, cancellationToken).ConfigureAwait(false) == file.Sha256)
                {
                    paths[file.Role] = path;
                    continue;
                }

                LogCachedFileCorrupt(model.Id, file.Name);
                File.Delete(path);
            }

            Directory.CreateDirectory(directory);
            await FetchAsync(source, model, file, path, cancellationToken).ConfigureAwait(false);
            fetched += file.Size;
            verified += file.Size;
            paths[file.Role] = path;
        }

        return new ModelFiles(paths, fetched, verified);
    }

    private async Task FetchAsync(IModelSource source, ModelManifest model, ModelFileSpec file, string path, CancellationToken cancellationToken)
    {
        LogFetching(model.Id, file.Name, source.Describe(model, file));
        string partial = $"{path}.{Guid.NewGuid():N}.partial";
        try
        {
            await source.FetchAsync(model, file, partial, cancellationToken).ConfigureAwait(false);
            long size = new FileInfo(partial).Length;
            string hash = await HashFileAsync(partial, cancellationToken).ConfigureAwait(false);
            if (size != file.Size || hash != file.Sha256)
            {
                throw new ModelSourceException(model.Id,
                    $"the {file.Role.ToString().ToLowerInvariant()} file '{file.Name}' from {source.Describe(model, file)} is corrupt or the wrong version: " +
                    $"got {size} bytes with SHA-256 {hash}, the manifest says {file.Size} bytes with SHA-256 {file.Sha256}.");
            }

            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    internal static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Model {ModelId}: fetching {FileName} from {Origin}")]
    private partial void LogFetching(string modelId, string fileName, string origin);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Model {ModelId}: cached {FileName} does not match its SHA-256; discarding it and fetching it again")]
    private partial void LogCachedFileCorrupt(string modelId, string fileName);
}
