using Thaw.Inference.Embeddings;

namespace Thaw.Http.Endpoints;

/// <summary>An embeddings request that passed the model-independent checks.</summary>
internal sealed record ValidatedEmbeddingsRequest(string[] Inputs, bool Base64, EmbeddingInputType InputType);
