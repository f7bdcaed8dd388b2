namespace Thaw.Inference.Generation.Scheduling;

/// <summary>Token counts of one generation, for OpenAI's <c>usage</c>.</summary>
/// <param name="PromptTokens">Tokens of the prompt.</param>
/// <param name="CompletionTokens">Tokens generated, counting a sampled end-of-sequence token (it cost a step) though it is never delivered.</param>
public readonly record struct GenerationUsage(int PromptTokens, int CompletionTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}
