using Thaw.Inference.Catalog;

namespace Thaw.Inference.Sources;

/// <summary>Files in a local folder (<c>source.path</c>, absolute or relative to the manifest's folder).</summary>
internal sealed class LocalPathModelSource : IModelSource
{
    public string Kind => "path";

    public string Describe(ModelManifest model, ModelFileSpec file) => Resolve(model, file);

    public Task<Stream> OpenAsync(ModelManifest model, ModelFileSpec file, CancellationToken cancellationToken = default)
    {
        string path = Resolve(model, file);
        try
        {
            return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, useAsync: true));
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
