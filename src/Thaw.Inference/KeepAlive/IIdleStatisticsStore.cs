namespace Thaw.Inference.KeepAlive;

/// <summary>
/// Where a model's idle-time histogram outlives the instance that learned it (scale to zero ends that instance):
/// Blob Storage when Thaw:Storage is configured, local disk otherwise. Several instances add to one histogram.
/// </summary>
public interface IIdleStatisticsStore
{
    /// <summary>The model's stored histogram, or null when none is stored (or the stored one was unreadable: logged).</summary>
    Task<IdleTimeHistogram?> LoadAsync(string modelId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds <paramref name="samples"/> (what this instance saw since its last merge) to the stored histogram and
    /// returns the sum, safely against other instances merging at the same time: every count is kept exactly once.
    /// A stored histogram of another shape (the bin width or range changed) or one that cannot be read is replaced.
    /// </summary>
    Task<IdleTimeHistogram> MergeAsync(string modelId, IdleTimeHistogram samples, CancellationToken cancellationToken = default);
}
