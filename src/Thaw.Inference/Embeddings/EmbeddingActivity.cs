using Thaw.Inference.Batching;
using Thaw.Inference.Models;

namespace Thaw.Inference.Embeddings;

/// <summary>An embedding model's micro-batchers: the interactive profile (HTTP) and the bulk one (jobs).</summary>
public sealed record EmbeddingActivity(BatchStatistics Interactive, BatchStatistics Bulk) : ModelActivity;
