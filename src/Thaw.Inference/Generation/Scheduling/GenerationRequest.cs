using Thaw.Inference.Generation.Sampling;

namespace Thaw.Inference.Generation.Scheduling;

/// <summary>One sequence to generate: a tokenized prompt, a token limit, and the sampler that owns its random state.</summary>
public sealed class GenerationRequest
{
    /// <summary>The prompt's token ids (chat template and BOS already applied); at least one.</summary>
    public required ReadOnlyMemory<int> PromptTokens { get; init; }

    /// <summary>The most tokens to generate (OpenAI's <c>max_tokens</c>); the slot reserves room for all of them.</summary>
    public required int MaxTokens { get; init; }

    /// <summary>Picks each token; one instance per request, called from the scheduler loop only.</summary>
    public required ITokenSampler Sampler { get; init; }

    /// <summary>Tokens that end the sequence with <see cref="FinishReason.Stop"/>; they are counted but never delivered.</summary>
    public IReadOnlyCollection<int> EosTokenIds { get; init; } = [];
}
