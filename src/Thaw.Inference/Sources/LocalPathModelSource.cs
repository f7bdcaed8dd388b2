using Thaw.Inference.Catalog;

namespace Thaw.Inference.Sources;

/// <summary>Files in a local folder (<c>source.path</c>, absolute or relative to the manifest's folder).</summary>
internal sealed class LocalPathModelSource : IModelSource
{
    public string Kind => "path";

    public string Describe(ModelManifest model, ModelFileSpec file) => Resolve(model, file);

    public async Task FetchAsync(ModelManifest model, ModelFileSpec file, string destinationPath, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        string path = Resolve(model, file);
        try
        {
            await using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, useAsync: true);
            await using var output = new FileStream(destinationPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, useAsync: true);
            await StreamCopy.CopyAsync(input, output, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ModelSourceException(model.Id, $"the {file.Role.ToString().ToLowerInvariant()} file '{path}' does not exist.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelSourceException(model.Id, $"the file '{path}' cannot be read: {e.Message}", e);
        }
    }

    private static string Resolve(ModelManifest model, ModelFileSpec file) =>
        Path.GetFullPath(Path.Combine(model.Directory, model.Source.Path!, file.Location));
}
