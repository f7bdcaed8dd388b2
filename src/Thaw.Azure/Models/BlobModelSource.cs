using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Thaw.Azure.Storage;
using Thaw.Inference.Catalog;
using Thaw.Inference.Sources;

namespace Thaw.Azure.Models;

/// <summary>
/// Model files in a Blob Storage container (<c>source.container</c>, optional <c>source.prefix</c>; each file's
/// <c>location</c> is its blob name under the prefix). The cache verifies the bytes against the manifest's hash.
/// </summary>
internal sealed class BlobModelSource(BlobClients clients) : IModelSource
{
    public string Kind => "blob";

    public string Describe(ModelManifest model, ModelFileSpec file) => $"blob {model.Source.Container}/{BlobName(model, file)}";

    /// <summary>Parallel ranged reads straight into the destination file (the SDK's own transfer engine).</summary>
    public async Task FetchAsync(ModelManifest model, ModelFileSpec file, string destinationPath, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        BlobServiceClient service = clients.Service
            ?? throw new ModelSourceException(model.Id, $"its files are in Blob Storage ({Describe(model, file)}) but neither Thaw:Storage:ConnectionString nor Thaw:Storage:ServiceUri is set.");
        BlobClient blob = service.GetBlobContainerClient(model.Source.Container).GetBlobClient(BlobName(model, file));
        var options = new BlobDownloadToOptions { TransferOptions = clients.TransferOptions, ProgressHandler = progress };
        try
        {
            await blob.DownloadToAsync(destinationPath, options, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new ModelSourceException(model.Id, $"the {file.Role.ToString().ToLowerInvariant()} file {Describe(model, file)} does not exist.", e);
        }
        catch (RequestFailedException e)
        {
            throw new ModelSourceException(model.Id, $"{Describe(model, file)} cannot be read: Blob Storage answered {e.Status} ({e.ErrorCode}).", e);
        }
    }

    internal static string BlobName(ModelManifest model, ModelFileSpec file) =>
        string.IsNullOrEmpty(model.Source.Prefix) ? file.Location : $"{model.Source.Prefix.TrimEnd('/')}/{file.Location}";
}
