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
    Task FetchAsync(ModelManifest model, ModelFileSpec file, string destinationPath, CancellationToken cancellationToken = default);

    /// <summary>Where the file comes from, for messages: never a secret.</summary>
    string Describe(ModelManifest model, ModelFileSpec file);
}
