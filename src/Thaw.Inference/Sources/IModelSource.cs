using Thaw.Inference.Catalog;

namespace Thaw.Inference.Sources;

/// <summary>
/// The origin of a model's files (a NuGet package, a local folder, a blob container). A source only
/// opens bytes; <see cref="ModelFileCache"/> copies them into the local cache and verifies their hash.
/// </summary>
public interface IModelSource
{
    /// <summary>The <c>source.kind</c> of the manifests this source serves.</summary>
    string Kind { get; }

    /// <summary>Opens one file at its origin for reading from the start.</summary>
    /// <exception cref="ModelSourceException">The file is not there or cannot be read.</exception>
    Task<Stream> OpenAsync(ModelManifest model, ModelFileSpec file, CancellationToken cancellationToken = default);

    /// <summary>Where the file comes from, for messages: never a secret.</summary>
    string Describe(ModelManifest model, ModelFileSpec file);
}
