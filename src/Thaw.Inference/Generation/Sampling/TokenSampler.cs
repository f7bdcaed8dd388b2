using System.Buffers;
using System.Runtime.InteropServices;

namespace Thaw.Inference.Generation.Sampling;

/// <summary>
/// OpenAI's sampling for one request (one choice of it): logit_bias and presence/frequency penalties, then greedy at
/// temperature 0, or temperature, top_k, top_p and a draw from a per-request random stream. It reports each token's
/// log-probability, and the <c>top_logprobs</c> most likely tokens, under the model's raw distribution.
/// </summary>
/// <remarks>
/// <para>
/// Logprobs are the log-softmax of the raw logits, before bias, penalties, temperature and truncation: what vLLM
/// reports by default (its V1 <c>raw_logprobs</c> mode) and what OpenAI's API does too (its logprobs do not change
/// with temperature). So a logprob says what the model thought, whatever the request's sampling settings.
/// </para>
/// <para>
/// The random stream is <see cref="Xoshiro256StarStar"/> seeded from <c>seed</c> (and the choice index for
/// <c>n</c> &gt; 1), owned by this instance: the same seed gives the same tokens whichever requests share the batch.
/// The softmax subtracts the maximum logit and sums in float64 (<see cref="Weights"/>). Scratch comes from the shared
/// array pool and goes back before <see cref="Next"/> returns: a sampler allocates nothing per token but the
/// <c>top_logprobs</c> it returns and a growing count of the tokens it penalizes, and holds no vocabulary-sized buffer
/// between tokens (a scheduler runs one sampler at a time, so a pool of a few buffers serves every request).
/// </para>
/// </remarks>
public sealed partial class TokenSampler : ITokenSampler
{
    private readonly SamplingParameters _parameters;
    private readonly int _vocabSize;
    private readonly Xoshiro256StarStar _random;
    private readonly int[] _biasIds;
    private readonly double[] _biasValues;
    private readonly bool _penalizes;
    private readonly bool _greedy;
    private readonly Dictionary<int, int> _counts = [];
    private readonly List<(int Id, float Raw)> _adjusted = [];
    private int _counted;

    /// <param name="parameters">The request's sampling fields; validated here.</param>
    /// <param name="vocabSize">The model's vocabulary: the length of every logits row.</param>
    /// <param name="choice">Which of the request's <c>n</c> choices this samples: each gets its own stream from the one seed.</param>
    /// <exception cref="ArgumentOutOfRangeException">A field is out of range (its OpenAI name is the parameter name).</exception>
    public TokenSampler(SamplingParameters parameters, int vocabSize, int choice = 0)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(choice);
        parameters.Validate(vocabSize);
        _parameters = parameters;
        _vocabSize = vocabSize;
        ulong seed = parameters.Seed is { } fixedSeed ? unchecked((ulong)fixedSeed) : unchecked((ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue));
        ulong stream = (ulong)choice;
        _random = new Xoshiro256StarStar(choice == 0 ? seed : seed ^ Xoshiro256StarStar.SplitMix64(ref stream));
        _biasIds = [.. parameters.LogitBias.Keys];
        _biasValues = [.. _biasIds.Select(id => parameters.LogitBias[id])];
        _penalizes = parameters.PresencePenalty != 0 || parameters.FrequencyPenalty != 0;

        // A temperature whose inverse overflows float would make the top token's weight 0 × ∞: it is greedy anyway.
        _greedy = parameters.Temperature == 0 || parameters.TopK == 1 || !float.IsFinite((float)(1 / parameters.Temperature));
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The row is not one vocabulary long.</exception>
    /// <exception cref="InvalidOperationException">The logits hold NaN or infinity (a broken model or a numeric overflow).</exception>
    public SampledToken Next(Span<float> logits, ReadOnlySpan<int> generated)
    {
        if (logits.Length != _vocabSize)
        {
            throw new ArgumentException($"A logits row has {logits.Length} entries; the vocabulary has {_vocabSize}.", nameof(logits));
        }

        float[] weights = ArrayPool<float>.Shared.Rent(logits.Length);
        try
        {
            double logNormalizer = LogNormalizer(logits, weights);
            IReadOnlyList<TokenLogprob> top = _parameters.TopLogprobs == 0 ? [] : TopLogprobs(logits, _parameters.TopLogprobs, logNormalizer);
            Adjust(logits, generated);
            int id = _greedy ? ArgMax(logits) : Draw(logits, weights);
            return new SampledToken(id, (float)(RawLogit(id, logits) - logNormalizer), top);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(weights);
        }
    }

    /// <summary>log Σ exp(x): the log-softmax of x is x minus this.</summary>
    internal static double LogNormalizer(ReadOnlySpan<float> logits, Span<float> scratch)
    {
        float max = Weights.Max(logits);
        double sum = float.IsFinite(max) ? Weights.Exp(logits, max, 1, scratch) : double.NaN;
        if (!double.IsFinite(sum))
        {
            throw new InvalidOperationException("The model's logits hold NaN or infinity; no token can be sampled from them.");
        }

        return max + Math.Log(sum);
    }

    private static IReadOnlyList<TokenLogprob> TopLogprobs(ReadOnlySpan<float> logits, int count, double logNormalizer)
    {
        // A sorted insertion into at most 20 entries: most tokens fail the first comparison with the worst kept.
        Span<Candidate> best = stackalloc Candidate[Math.Min(count, logits.Length)];
        int kept = 0;
        for (int id = 0; id < logits.Length; id++)
        {
            // A later id loses a tie, so only a strictly larger logit displaces the worst kept.
            if (kept == best.Length && !(logits[id] > best[kept - 1].Value))
            {
                continue;
            }

            var candidate = new Candidate(id, logits[id]);

            int at = kept == best.Length ? kept - 1 : kept++;
            while (at > 0 && MostLikelyFirst.Before(candidate, best[at - 1]))
            {
                best[at] = best[at - 1];
                at--;
            }

            best[at] = candidate;
        }

        var top = new TokenLogprob[kept];
        for (int i = 0; i < kept; i++)
        {
            top[i] = new TokenLogprob(best[i].Id, (float)(best[i].Value - logNormalizer));
        }

        return top;
    }

    /// <summary>OpenAI's formula: logit − count × frequency_penalty − (count &gt; 0) × presence_penalty + logit_bias.</summary>
    private void Adjust(Span<float> logits, ReadOnlySpan<int> generated)
    {
        _adjusted.Clear();
        if (_penalizes)
        {
            if (generated.Length < _counted)
            {
                throw new InvalidOperationException($"Bug: a sequence shrank from {_counted} to {generated.Length} generated tokens.");
            }

            // The sequence only grows: count the tokens added since the last call.
            foreach (int token in generated[_counted..])
            {
                CollectionsMarshal.GetValueRefOrAddDefault(_counts, token, out _)++;
            }

            _counted = generated.Length;
            foreach ((int token, int count) in _counts)
            {
                _adjusted.Add((token, logits[token]));
                logits[token] = (float)(logits[token] - (count * _parameters.FrequencyPenalty) - _parameters.PresencePenalty);
            }
        }

        for (int i = 0; i < _biasIds.Length; i++)
        {
            int token = _biasIds[i];
            _adjusted.Add((token, logits[token]));
            logits[token] = (float)(logits[token] + _biasValues[i]);
        }
    }

    /// <summary>The logit the model gave the token, before <see cref="Adjust"/> changed it.</summary>
    private float RawLogit(int id, ReadOnlySpan<float> logits)
    {
        // The first entry for a token holds its raw value; later ones (a bias after a penalty) hold adjusted ones.
        foreach ((int token, float raw) in _adjusted)
        {
            if (token == id)
            {
                return raw;
            }
        }

        return logits[id];
    }

    /// <summary>The most likely token, the lowest id on ties.</summary>
    internal static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return best;
    }
}
