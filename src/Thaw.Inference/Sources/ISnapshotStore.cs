namespace Thaw.Inference.Sources;

/// <summary>
/// A shared tier between this instance's disk and a model's origin (Blob Storage in Azure): verified files,
/// addressed by their SHA-256, that any instance can fetch instead of going back to the origin.
/// </summary>
public interface ISnapshotStore
{
    /// <summary>Where a file would be, for messages: never a secret.</summary>
    string Describe(string sha256);

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
}
