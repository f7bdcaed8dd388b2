using Thaw.Inference.Generation.Sampling;

namespace Thaw.Inference.Generation.Completions;

/// <summary>
/// How to complete one prompt, already resolved from an OpenAI request (both <c>/v1/completions</c> and
/// <c>/v1/chat/completions</c> come down to this): how many choices, how many tokens each, how to sample, where to stop.
/// </summary>
public sealed class CompletionSettings
{
    /// <summary>The most choices one request may ask for (<c>n</c>): each holds a KV-cache slot.</summary>
    public const int MaxChoices = 16;

    /// <summary>The most tokens each choice generates (<c>max_tokens</c> / <c>max_completion_tokens</c>, resolved).</summary>
    public required int MaxTokens { get; init; }

    /// <summary><c>n</c>: choices generated for the prompt, each with its own random stream from the one seed.</summary>
    public int Choices { get; init; } = 1;

    public SamplingParameters Sampling { get; init; } = new();

    /// <summary><c>stop</c>: up to four sequences; the text ends before the first that appears.</summary>
    public IReadOnlyCollection<string> Stop { get; init; } = [];

    /// <summary>Deliver each token's log-probability (and <see cref="SamplingParameters.TopLogprobs"/> alternatives).</summary>
    public bool Logprobs { get; init; }

    /// <summary>Checks the fields a model does not decide; the exception's parameter name is the OpenAI field.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public void Validate(int vocabSize)
    {
        if (MaxTokens < 1)
        {
            throw new ArgumentOutOfRangeException("max_tokens", MaxTokens, $"'max_tokens' must be at least 1; it is {MaxTokens}.");
        }

        if (Choices is < 1 or > MaxChoices)
        {
            throw new ArgumentOutOfRangeException("n", Choices, $"'n' must be between 1 and {MaxChoices}; it is {Choices}.");
        }

        Sampling.Validate(vocabSize);
        _ = new Stopping.StopSequenceMatcher(Stop);
    }
}
