using Thaw.Inference.Catalog;

namespace Thaw.Inference.Sources;

/// <summary>
/// The origin of a model's files (a NuGet package, a local folder, a blob container). A source only copies bytes
/// to a path it is given; <see cref="ModelFileCache"/> owns that path, verifies the hash and publishes the file.
/// </summary>
public interface IModelSource
{
    /// <summary>The <c>source.kind</c> of the manifests this source serves.</summary>
    string Kind { get; }

    /// <summary>Copies one file from its origin into <paramref name="destinationPath"/> (a new file).</summary>
    /// <exception cref="ModelSourceException">The file is not there or cannot be read.</exception>
    /// <param name="model">The model.</param>
    /// <param name="file">The file.</param>
    /// <param name="destinationPath">A path that does not exist yet; the cache owns it.</param>
    /// <param name="progress">Receives the number of bytes written so far.</param>
    /// <param name="cancellationToken">Stops the transfer.</param>
    Task FetchAsync(ModelManifest model, ModelFileSpec file, string destinationPath, IProgress<long>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Where the file comes from, for messages: never a secret.</summary>
    string Describe(ModelManifest model, ModelFileSpec file);
}
