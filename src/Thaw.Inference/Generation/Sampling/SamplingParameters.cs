namespace Thaw.Inference.Generation.Sampling;

/// <summary>
/// How one request chooses its tokens, with OpenAI's names, ranges and defaults. <see cref="Validate"/> names the
/// request field that is out of range, so that the HTTP layer can answer 400 with it.
/// </summary>
public sealed class SamplingParameters
{
    /// <summary>The most entries <c>top_logprobs</c> may ask for (OpenAI's limit).</summary>
    public const int MaxTopLogprobs = 20;

    /// <summary>
    /// <c>temperature</c>, 0 to 2: logits are divided by it before the softmax; 0 means greedy (always the most
    /// likely token, the lowest id on ties).
    /// </summary>
    public double Temperature { get; init; } = 1;

    /// <summary><c>top_p</c>, 0 to 1: sample only from the smallest set of most likely tokens whose mass is at least this.</summary>
    public double TopP { get; init; } = 1;

    /// <summary><c>top_k</c> (not OpenAI's; vLLM's): sample only from the k most likely tokens; 0 keeps them all.</summary>
    public int TopK { get; init; }

    /// <summary><c>seed</c>: the same seed, prompt and parameters give the same tokens; null draws a fresh one.</summary>
    public long? Seed { get; init; }

    /// <summary><c>presence_penalty</c>, -2 to 2: subtracted once from the logit of every token generated so far.</summary>
    public double PresencePenalty { get; init; }

    /// <summary><c>frequency_penalty</c>, -2 to 2: subtracted from a token's logit once per time it was generated so far.</summary>
    public double FrequencyPenalty { get; init; }

    /// <summary><c>logit_bias</c>: token id to a value from -100 to 100 added to its logit before sampling.</summary>
    public IReadOnlyDictionary<int, double> LogitBias { get; init; } = new Dictionary<int, double>();

    /// <summary><c>top_logprobs</c>, 0 to 20: how many of the most likely tokens to report with each sampled one.</summary>
    public int TopLogprobs { get; init; }

    /// <summary>Checks every field against its range and the model's vocabulary.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A field is out of range; <see cref="ArgumentException.ParamName"/> is its OpenAI name.</exception>
    public void Validate(int vocabSize)
    {
        Check(Temperature is >= 0 and <= 2, "temperature", Temperature, "between 0 and 2");
        Check(TopP is >= 0 and <= 1, "top_p", TopP, "between 0 and 1");
        Check(TopK >= 0, "top_k", TopK, "0 (off) or more");
        Check(PresencePenalty is >= -2 and <= 2, "presence_penalty", PresencePenalty, "between -2 and 2");
        Check(FrequencyPenalty is >= -2 and <= 2, "frequency_penalty", FrequencyPenalty, "between -2 and 2");
        Check(TopLogprobs is >= 0 and <= MaxTopLogprobs, "top_logprobs", TopLogprobs, $"between 0 and {MaxTopLogprobs}");
        foreach ((int id, double bias) in LogitBias)
        {
            Check((uint)id < (uint)vocabSize, "logit_bias", id, $"a token id between 0 and {vocabSize - 1}");
            Check(bias is >= -100 and <= 100, "logit_bias", bias, "a bias between -100 and 100");
        }
    }

    private static void Check(bool valid, string field, object value, string range)
    {
        // NaN fails every comparison above, so it lands here too.
        if (!valid)
        {
            throw new ArgumentOutOfRangeException(field, value, $"'{field}' must be {range}; it is {value}.");
        }
    }
}
