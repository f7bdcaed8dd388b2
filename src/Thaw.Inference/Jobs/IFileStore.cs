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

    /// <summary>
    /// One page of files (<see cref="FileIndex"/> order), read from a listing of names: only the page's records are read.
    /// An <see cref="FileQuery.After"/> that names no file gives an empty page.
    /// </summary>
    Task<FilePage> ListAsync(FileQuery query, CancellationToken cancellationToken = default);

    /// <summary>Removes the file; false when there was none.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default);
}
