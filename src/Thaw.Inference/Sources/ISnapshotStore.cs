namespace Thaw.Inference.Sources;

/// <summary>
/// A shared tier between this instance's disk and a model's origin (Blob Storage in Azure): verified files,
/// addressed by their SHA-256, that any instance can fetch instead of going back to the origin.
/// </summary>
public interface ISnapshotStore
{
    /// <summary>Where a file would be, for messages: never a secret.</summary>
    string Describe(string sha256);

    /// <summary>Where a document would be, for messages: never a secret.</summary>
    string DescribeDocument(string name);

    /// <summary>Copies the content with this hash into <paramref name="destinationPath"/> (a new file).</summary>
    /// <returns>False when the store does not hold it.</returns>
    /// <exception cref="SnapshotStoreUnavailableException">The store cannot be reached or refused the request.</exception>
    Task<bool> TryFetchAsync(string sha256, string destinationPath, IProgress<long>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Publishes a verified file under its hash; a racing instance that published it first wins, harmlessly.</summary>
    /// <exception cref="SnapshotStoreUnavailableException">The store cannot be reached or refused the request.</exception>
    Task PutAsync(string sha256, string path, IProgress<long>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>The stored size of this content, or null when the store does not hold it.</summary>
    /// <exception cref="SnapshotStoreUnavailableException">The store cannot be reached or refused the request.</exception>
    Task<long?> GetSizeAsync(string sha256, CancellationToken cancellationToken = default);

    /// <summary>Removes content that failed verification, so that the next instance does not fetch it again.</summary>
    Task DeleteAsync(string sha256, CancellationToken cancellationToken = default);

    /// <summary>A small named document (a snapshot manifest), or null when absent.</summary>
    /// <exception cref="SnapshotStoreUnavailableException">The store cannot be reached or refused the request.</exception>
    Task<string?> TryGetDocumentAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Creates a document unless one of that name exists (the commit point of a snapshot).</summary>
    /// <returns>False when it existed already.</returns>
    /// <exception cref="SnapshotStoreUnavailableException">The store cannot be reached or refused the request.</exception>
    Task<bool> TryCreateDocumentAsync(string name, string content, CancellationToken cancellationToken = default);

    /// <summary>Deletes a document if it exists.</summary>
    /// <exception cref="SnapshotStoreUnavailableException">The store cannot be reached or refused the request.</exception>
    Task DeleteDocumentAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The documents whose names start with <paramref name="prefix"/>.</summary>
    /// <exception cref="SnapshotStoreUnavailableException">The store cannot be reached or refused the request.</exception>
    IAsyncEnumerable<string> ListDocumentsAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes an exclusive, expiring lease named <paramref name="name"/>, kept alive until disposed, so that one
    /// instance among several racing ones does a piece of work (publishing a snapshot); a lease whose holder died
    /// expires by itself.
    /// </summary>
    /// <returns>The lease, or null when another instance holds it.</returns>
    /// <exception cref="SnapshotStoreUnavailableException">The store cannot be reached or refused the request.</exception>
    Task<IAsyncDisposable?> TryAcquireLeaseAsync(string name, CancellationToken cancellationToken = default);
}
