using Thaw.Inference.Catalog;
using Thaw.Inference.Generation;
using Thaw.Inference.Generation.Completions;
using Thaw.Inference.Generation.Sampling;
using Thaw.Inference.Generation.Tokenizers;

namespace Thaw.Http.Generation;

/// <summary>
/// A request of either route after the checks that need no model: which model, how to turn the request into prompt
/// tokens for it, how to sample, and how to answer. What is left to the model (its defaults, its context length, its
/// chat template and vocabulary) is resolved by <see cref="Settings"/> and <see cref="Encode"/>.
/// </summary>
internal sealed class CompletionPlan
{
    public required string ModelId { get; init; }

    /// <summary>The request field that holds the prompt (<c>messages</c> or <c>prompt</c>), named by errors about its length.</summary>
    public required string PromptField { get; init; }

    /// <summary>Turns the request into prompt tokens for the loaded model.</summary>
    public required Func<TextGenerationModel, IReadOnlyList<int>> Encode { get; init; }

    /// <summary>Writes the answer's objects of this route for one request.</summary>
    public required Func<CompletionIdentity, ITextTokenizer, ICompletionFormat> CreateFormat { get; init; }

    /// <summary>Null: the model's default, cut to what its context leaves after the prompt.</summary>
    public required int? MaxTokens { get; init; }

    public required int Choices { get; init; }

    /// <summary>Null: the model's default.</summary>
    public required double? Temperature { get; init; }

    /// <summary>Null: the model's default.</summary>
    public required double? TopP { get; init; }

    public required int TopK { get; init; }

    public required long? Seed { get; init; }

    public required double PresencePenalty { get; init; }

    public required double FrequencyPenalty { get; init; }

    public required IReadOnlyDictionary<int, double> LogitBias { get; init; }

    public required IReadOnlyCollection<string> Stop { get; init; }

    public required bool Logprobs { get; init; }

    public required int TopLogprobs { get; init; }

    public required bool Stream { get; init; }

    public required bool IncludeUsage { get; init; }

    /// <summary>The settings for <paramref name="model"/>, whose prompt has <paramref name="promptTokens"/> tokens.</summary>
    public CompletionSettings Settings(TextGenerationModel model, int promptTokens)
    {
        GenerationDefaults defaults = model.Manifest.Generation?.Defaults ?? new GenerationDefaults();
        return Resolve(
            MaxTokens ?? Math.Max(1, Math.Min(defaults.MaxTokens, model.ContextLength - promptTokens)),
            Temperature ?? defaults.Temperature,
            TopP ?? defaults.TopP);
    }

    /// <summary>The settings as far as the request alone decides them: what <see cref="CompletionSettings.Validate"/> checks before any model is loaded.</summary>
    public CompletionSettings RequestSettings() => Resolve(MaxTokens ?? 1, Temperature ?? 1, TopP ?? 1);

    private CompletionSettings Resolve(int maxTokens, double temperature, double topP) => new()
    {
        MaxTokens = maxTokens,
        Choices = Choices,
        Sampling = new SamplingParameters
        {
            Temperature = temperature,
            TopP = topP,
            TopK = TopK,
            Seed = Seed,
            PresencePenalty = PresencePenalty,
            FrequencyPenalty = FrequencyPenalty,
            LogitBias = LogitBias,
            TopLogprobs = TopLogprobs,
        },
        Stop = Stop,
        Logprobs = Logprobs,
    };
}
