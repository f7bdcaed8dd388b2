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

    /// <summary>
    /// The ids of files whose <c>expires_at</c> is at or before <paramref name="now"/>, soonest expired first, at most
    /// <paramref name="limit"/>: read from an index of expiry times, not from every record.
    /// </summary>
    Task<IReadOnlyList<string>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets when the file expires, <paramref name="expiresAfter"/> after its creation (OpenAI's <c>expires_after</c>
    /// with anchor <c>created_at</c>), for a field that came after the file in the upload; null when there is no file.
    /// </summary>
    Task<FileRecord?> SetExpiryAsync(string id, TimeSpan expiresAfter, CancellationToken cancellationToken = default);

    /// <summary>Removes the file; false when there was none.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default);
}
