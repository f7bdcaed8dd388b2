namespace Thaw.Inference.Jobs;

/// <summary>Where batch input and output files live: local disk by default, Blob Storage when configured.</summary>
public interface IFileStore
{
    /// <summary>Streams <paramref name="content"/> into a file; it becomes visible whole or not at all.</summary>
    /// <exception cref="FileTooLargeException">The content is longer than <see cref="FileUpload.MaxBytes"/>.</exception>
    Task<FileRecord> PutAsync(FileUpload upload, Stream content, CancellationToken cancellationToken = default);

    /// <summary>The file's metadata, or null when there is no such file.</summary>
    Task<FileRecord?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>The file's content, or null when there is no such file.</summary>
    Task<Stream?> OpenReadAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Every stored file, newest first.</summary>
    Task<IReadOnlyList<FileRecord>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes the file; false when there was none.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default);
}
