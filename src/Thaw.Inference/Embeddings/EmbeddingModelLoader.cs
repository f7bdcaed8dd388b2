using Microsoft.Extensions.Options;
using Thaw.Inference.Backends;
using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.Models;
using Thaw.Inference.Snapshots;
using Thaw.Inference.Sources;
using Thaw.Inference.Tokenization;

namespace Thaw.Inference.Embeddings;

/// <summary>
/// Loads embedding models: snapshot lookup (or the source files), tokenizer, encoder session (preparing the snapshot
/// on a miss), warm-up runs — each phase timed. Holds no state between loads: the pool owns what it returns.
/// </summary>
public sealed class EmbeddingModelLoader(
    ModelFileCache files,
    SnapshotCache snapshots,
    IEncoderBackend backend,
    IOptions<BatchingOptions> batching,
    TimeProvider timeProvider,
    BatchingMetrics? metrics = null) : IModelLoader
{
    private readonly BatchingOptions _batching = batching.Value;

    public ModelTask Task => ModelTask.Embedding;

    public async Task<ModelLoad> LoadAsync(ModelManifest manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        DateTimeOffset startedAt = timeProvider.GetUtcNow();
        long started = timeProvider.GetTimestamp();
        IEncoderSession? session = null;
        string? staging = null;
        try
        {
            // Tiers, fastest first: a prepared snapshot on local disk, then in the store; on a miss the source files
            // (local disk, store, origin), from which this load prepares the snapshot while creating its session.
            SnapshotKey? key = backend.GetSnapshotKey(manifest);
            long keyDone = timeProvider.GetTimestamp();
            SnapshotLookup? lookup = key is null ? null : await snapshots.FindAsync(key, manifest, cancellationToken: cancellationToken).ConfigureAwait(false);
            LocalSnapshot? snapshot = lookup?.Snapshot;
            ModelFiles? sourceFiles = snapshot is null ? await files.EnsureAsync(manifest, cancellationToken: cancellationToken).ConfigureAwait(false) : null;
            long filesDone = timeProvider.GetTimestamp();
            // The vocabulary is read on another core while the session is created (a session creation runs on one).
            string vocabPath = snapshot?.VocabPath ?? sourceFiles!.VocabPath;
            Task<(EmbeddingTokenizer Tokenizer, TimeSpan Took)> reading = System.Threading.Tasks.Task.Run(() =>
            {
                long begun = timeProvider.GetTimestamp();
                return (EmbeddingTokenizer.Create(vocabPath, manifest.Tokenizer), timeProvider.GetElapsedTime(begun));
            }, cancellationToken);
            staging = snapshot is null && key is not null ? snapshots.BeginBuild(key) : null;
            SessionSource source = snapshot is not null ? new SessionSource(snapshot.ModelPath, Prepared: true) : new SessionSource(sourceFiles!.ModelPath, SnapshotDirectory: staging);
            CreatedSession created;
            try
            {
                created = await backend.CreateSessionAsync(manifest, source, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // Let the read end before the failure propagates: nothing of this load outlives it.
                await System.Threading.Tasks.Task.WhenAny(reading).ConfigureAwait(false);
                throw;
            }

            session = created.Session;
            long sessionDone = timeProvider.GetTimestamp();
            (EmbeddingTokenizer tokenizer, TimeSpan tokenizerTime) = await reading.ConfigureAwait(false);
            long tokenizerDone = timeProvider.GetTimestamp();
            var model = new EmbeddingModel(manifest, tokenizer, session, _batching, timeProvider, metrics);
            // Warm up the shape the first requests have: one input (a scale-from-zero instance's first request is one
            // caller's). On a GPU a full interactive batch too, which primes kernels and grows the device arena before
            // the first real batch instead of during it; on CPU that second pass only delays readiness (measured with
            // thaw bench coldstart: docs/cold-start.md).
            model.Embed(["Thaw warm-up run."], cancellationToken: cancellationToken);
            if (_batching.MaxBatchSize > 1 && !string.Equals(session.ExecutionProvider, "CPU", StringComparison.OrdinalIgnoreCase))
            {
                model.Embed(Enumerable.Repeat("Thaw warm-up run for a full batch.", _batching.MaxBatchSize).ToArray(), cancellationToken: cancellationToken);
            }

            long warmedUp = timeProvider.GetTimestamp();
            var timings = new ModelLoadTimings(
                startedAt,
                timeProvider.GetElapsedTime(started, warmedUp),
                timeProvider.GetElapsedTime(keyDone, filesDone),
                tokenizerTime,
                // The snapshot key asks the runtime its version and probes the provider: runtime initialization.
                timeProvider.GetElapsedTime(started, keyDone) + timeProvider.GetElapsedTime(filesDone, sessionDone),
                timeProvider.GetElapsedTime(tokenizerDone, warmedUp),
                snapshot is not null ? lookup!.Tier : sourceFiles!.Tier,
                (lookup?.BytesFetched ?? 0) + (sourceFiles?.BytesFetched ?? 0),
                (lookup?.BytesVerified ?? 0) + (sourceFiles?.BytesVerified ?? 0),
                lookup?.StoreProblem ?? sourceFiles?.SnapshotStoreProblem,
                key?.Id,
                SnapshotBuilt: staging is not null && created.PreparedModelFile is not null);

            Func<CancellationToken, Task<PublishOutcome>>? finish = null;
            if (staging is not null)
            {
                string build = staging;
                staging = null;
                if (created.PreparedModelFile is { } prepared)
                {
                    // Hashing and uploading the new snapshot would only delay this load: the pool does it once the model serves.
                    finish = token => CompleteSnapshotAsync(key!, build, prepared, sourceFiles!.VocabPath, timings.Session, token);
                }
                else
                {
                    SnapshotCache.Abandon(build);
                }
            }

            return new ModelLoad(model, timings, finish);
        }
        catch
        {
            session?.Dispose();
            if (staging is not null)
            {
                SnapshotCache.Abandon(staging);
            }

            throw;
        }
    }

    /// <summary>Commits the snapshot a load prepared to local disk, then publishes it to the store.</summary>
    private async Task<PublishOutcome> CompleteSnapshotAsync(SnapshotKey key, string staging, string modelFile, string vocabPath, TimeSpan buildTime, CancellationToken cancellationToken)
    {
        LocalSnapshot snapshot = await snapshots.CommitAsync(key, staging, modelFile, vocabPath, buildTime, cancellationToken).ConfigureAwait(false);
        return await snapshots.PublishAsync(snapshot, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
