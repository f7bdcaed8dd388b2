using Thaw.Inference.Batching;
using Thaw.Inference.Models;

namespace Thaw.Inference.Embeddings;

/// <summary>The embedding task's use of the pool: the pool holds models of any task, these ask it for an embedding model.</summary>
public static class EmbeddingPool
{
    /// <summary>The embedding model once ready, counted as a request (see <see cref="ModelHost.AcquireAsync{TModel}"/>).</summary>
    /// <exception cref="Catalog.ModelNotFoundException">The catalog has no such model.</exception>
    /// <exception cref="ModelNotReadyException">The model is still loading, or failed to load.</exception>
    public static Task<EmbeddingModel> GetReadyAsync(this ModelHost pool, string modelId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        return pool.AcquireAsync<EmbeddingModel>(modelId, cancellationToken);
    }

    /// <summary>
    /// Embeds with the model once ready; a model unloaded since the lookup is loaded again once (see
    /// <see cref="ModelHost.UseAsync{TModel, TResult}"/>). A bulk (batch job) line keeps the model alive but is not a
    /// request of its own to learn idle times from.
    /// </summary>
    /// <exception cref="Catalog.ModelNotFoundException">The catalog has no such model.</exception>
    /// <exception cref="ModelNotReadyException">The model is still loading, or failed to load.</exception>
    /// <exception cref="OverloadedException">The model's queue is full.</exception>
    /// <exception cref="BatcherClosedException">This host is shutting down.</exception>
    public static Task<EmbeddingResult> EmbedAsync(
        this ModelHost pool, string modelId, IReadOnlyList<string> inputs, EmbeddingInputType inputType, BatchProfileKind profile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        return pool.UseAsync<EmbeddingModel, EmbeddingResult>(
            modelId, profile == BatchProfileKind.Interactive, (model, token) => model.EmbedAsync(inputs, inputType, profile, token), cancellationToken);
    }
}
