using Thaw.Inference.Generation.Sampling;

namespace Thaw.Inference.Tests.Generation.Sampling;

public sealed class TokenSamplerTests
{
    private static readonly float[] Skewed = [1.0f, 0.5f, 0f, -0.5f, -1f, 2f, 1.5f, -2f];

    [Fact]
    public void Next_TemperatureZero_IsTheArgmaxWithTheLowestIdOnTies()
    {
        var sampler = new TokenSampler(new SamplingParameters { Temperature = 0 }, 6);

        Assert.Equal(5, Sample(sampler, [0f, 1f, -3f, 2f, 1.5f, 2.5f]).Id);
        Assert.Equal(1, Sample(sampler, [0f, 3f, -3f, 3f, 1.5f, 2.5f]).Id);
    }

    [Fact]
    public void Next_SameSeed_GivesTheSameTokensAndAnotherSeedOthers()
    {
        int[] first = Tokens(new SamplingParameters { Seed = 1234 }, 200);
        int[] again = Tokens(new SamplingParameters { Seed = 1234 }, 200);
        int[] other = Tokens(new SamplingParameters { Seed = 1235 }, 200);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Next_SeededBesideOtherSamplers_GivesTheTokensItGivesAlone()
    {
        int[] alone = Tokens(new SamplingParameters { Seed = 99, TopP = 0.9 }, 100);
        var sampler = new TokenSampler(new SamplingParameters { Seed = 99, TopP = 0.9 }, Skewed.Length);
        var neighbour = new TokenSampler(new SamplingParameters { Seed = 99, TopP = 0.9 }, Skewed.Length);
        var unseeded = new TokenSampler(new SamplingParameters(), Skewed.Length);

        var interleaved = new List<int>();
        for (int i = 0; i < 100; i++)
        {
            Sample(neighbour, Skewed);
            Sample(unseeded, Skewed);
            interleaved.Add(Sample(sampler, Skewed).Id);
            Sample(neighbour, Skewed);
        }

        Assert.Equal(alone, interleaved);
    }

    [Fact]
    public void Next_ChoicesOfOneSeed_GetStreamsOfTheirOwn()
    {
        int[] zero = Tokens(new SamplingParameters { Seed = 5 }, 100, choice: 0);
        int[] one = Tokens(new SamplingParameters { Seed = 5 }, 100, choice: 1);

        Assert.Equal(one, Tokens(new SamplingParameters { Seed = 5 }, 100, choice: 1));
        Assert.NotEqual(zero, one);
    }

    [Theory]
    [InlineData(1e-3)]
    [InlineData(1e-6)]
    [InlineData(1e-300)]
    public void Next_TemperatureNearZero_IsGreedy(double temperature)
    {
        float[] logits = [0.3f, 1.1f, 1.0f, -0.2f, 0.9f];

        int[] tokens = Tokens(new SamplingParameters { Temperature = temperature, Seed = 3 }, 500, logits);

        Assert.All(tokens, id => Assert.Equal(1, id));
    }

    [Fact]
    public void Next_TopKOne_IsGreedyAtAnyTemperature()
    {
        int[] tokens = Tokens(new SamplingParameters { Temperature = 2, TopK = 1, Seed = 3 }, 500);

        Assert.All(tokens, id => Assert.Equal(5, id));
    }

    [Fact]
    public void Next_TopK_SamplesEveryOneOfTheKMostLikelyAndNoOther()
    {
        int[] tokens = Tokens(new SamplingParameters { Temperature = 2, TopK = 3, Seed = 11 }, 3000);

        Assert.Equal([0, 5, 6], tokens.Distinct().Order());
    }

    [Theory]
    [InlineData(0.0, new[] { 0 })]
    [InlineData(0.34, new[] { 0 })]
    [InlineData(0.36, new[] { 0, 1 })]
    [InlineData(0.59, new[] { 0, 1 })]
    [InlineData(0.61, new[] { 0, 1, 2 })]
    [InlineData(0.94, new[] { 0, 1, 2, 3 })]
    [InlineData(0.96, new[] { 0, 1, 2, 3, 4 })]
    public void Next_TopP_SamplesExactlyTheSmallestSetWithAtLeastThatMass(double topP, int[] expected)
    {
        float[] logits = [.. new[] { 0.35, 0.25, 0.2, 0.15, 0.05 }.Select(p => (float)Math.Log(p))];

        int[] tokens = Tokens(new SamplingParameters { TopP = topP, Seed = 8 }, 4000, logits);

        Assert.Equal(expected, tokens.Distinct().Order());
    }

    [Fact]
    public void Next_TopPOverALargeVocabulary_KeepsTheNucleusAmongTheLongTail()
    {
        // 3 tokens hold 0.9 of the mass, 4997 share the rest: top_p 0.85 keeps exactly the 3 (0.5 + 0.3 < 0.85).
        var probabilities = new double[5000];
        Array.Fill(probabilities, 0.1 / 4997);
        probabilities[4321] = 0.5;
        probabilities[17] = 0.3;
        probabilities[2500] = 0.1;
        float[] logits = [.. probabilities.Select(p => (float)Math.Log(p))];

        int[] tokens = Tokens(new SamplingParameters { TopP = 0.85, Seed = 21 }, 3000, logits);
        int[] all = Tokens(new SamplingParameters { TopP = 1, Seed = 21 }, 3000, logits);

        Assert.Equal([17, 2500, 4321], tokens.Distinct().Order());
        Assert.True(all.Distinct().Count() > 3, "without top_p the tail is sampled too");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    [InlineData(0.9)]
    [InlineData(0.999)]
    [InlineData(1.0)]
    public void SelectNucleus_ManyCandidatesWithTies_IsTheSortedDefinitionsSet(double topP)
    {
        // 2000 candidates in 50 distinct weights: every partition step meets ties, resolved to the lowest id.
        var data = new Xoshiro256StarStar(9);
        Candidate[] candidates = [.. Enumerable.Range(0, 2000).Select(id => new Candidate(id, 1 + (int)(data.NextDouble() * 50)))];
        double needed = topP * candidates.Sum(c => c.Value);
        Candidate[] sorted = [.. candidates.OrderByDescending(c => c.Value).ThenBy(c => c.Id)];
        int expected = 0;
        for (double cumulative = 0; expected < sorted.Length && (expected == 0 || cumulative < needed); expected++)
        {
            cumulative += sorted[expected].Value;
        }

        int count = TokenSampler.SelectNucleus(candidates, needed);

        Assert.Equal(sorted.Take(expected).Select(c => c.Id).Order(), candidates.Take(count).Select(c => c.Id).Order());
    }

    [Theory]
    [InlineData(1.0, 0, 1.0)]
    [InlineData(0.7, 0, 1.0)]
    [InlineData(1.3, 4, 1.0)]
    [InlineData(1.0, 0, 0.8)]
    public void Next_ManyDraws_FollowTheTruncatedSoftmax(double temperature, int topK, double topP)
    {
        AssertDrawsFollow(TruncatedSoftmax(Skewed, temperature, topK, topP), new SamplingParameters { Temperature = temperature, TopK = topK, TopP = topP, Seed = 2024 });
    }

    [Fact]
    public void Next_Logprobs_MatchAFloat64LogSoftmaxOfTheRawLogits()
    {
        var data = new Xoshiro256StarStar(77);
        float[] raw = [.. Enumerable.Range(0, 1000).Select(_ => (float)((data.NextDouble() * 16) - 8))];
        double[] reference = LogSoftmax(raw);
        var sampler = new TokenSampler(new SamplingParameters { TopLogprobs = 20, Seed = 1 }, raw.Length);

        for (int step = 0; step < 20; step++)
        {
            SampledToken token = Sample(sampler, raw);

            Assert.Equal(reference[token.Id], token.Logprob, 1e-6);
            int[] expectedTop = [.. Enumerable.Range(0, raw.Length).OrderByDescending(id => reference[id]).ThenBy(id => id).Take(20)];
            Assert.Equal(expectedTop, token.TopLogprobs.Select(entry => entry.Id));
            Assert.All(token.TopLogprobs, entry => Assert.Equal(reference[entry.Id], entry.Logprob, 1e-6));
        }
    }

    [Fact]
    public void Next_HugeLogits_StayFinite()
    {
        float[] raw = [3000f, 2999f, -3000f];
        var sampler = new TokenSampler(new SamplingParameters { TopLogprobs = 3, Seed = 1 }, raw.Length);

        SampledToken token = Sample(sampler, raw);

        // Within 1e-6, or half a float's step where a logprob is too large for float to hold 1e-6.
        double[] reference = LogSoftmax(raw);
        Assert.Equal([0, 1, 2], token.TopLogprobs.Select(entry => entry.Id));
        Assert.All(token.TopLogprobs, entry => Assert.Equal(reference[entry.Id], entry.Logprob, Math.Max(1e-6, Math.Abs(reference[entry.Id]) * Math.Pow(2, -24))));
    }

    [Fact]
    public void Next_Logprobs_AreOfTheRawDistributionWhateverTheSampling()
    {
        float[] raw = [.. Skewed];
        double[] reference = LogSoftmax(raw);
        var sampler = new TokenSampler(new SamplingParameters
        {
            Temperature = 0.3,
            TopK = 2,
            PresencePenalty = 1.5,
            FrequencyPenalty = 0.5,
            LogitBias = new Dictionary<int, double> { [5] = -100, [3] = 7 },
            TopLogprobs = 4,
            Seed = 4,
        }, raw.Length);

        SampledToken token = Sample(sampler, raw, generated: [6, 6, 0]);

        Assert.Equal(reference[token.Id], token.Logprob, 1e-6);
        Assert.Equal([5, 6, 0, 1], token.TopLogprobs.Select(entry => entry.Id));
        Assert.All(token.TopLogprobs, entry => Assert.Equal(reference[entry.Id], entry.Logprob, 1e-6));
    }

    [Fact]
    public void Next_PenaltiesAndBias_ChangeTheLogitsByOpenAIsFormula()
    {
        var parameters = new SamplingParameters
        {
            PresencePenalty = 0.75,
            FrequencyPenalty = -0.5,
            LogitBias = new Dictionary<int, double> { [2] = 3.25, [6] = -100 },
            Seed = 6,
        };
        var sampler = new TokenSampler(parameters, Skewed.Length);
        int[] generated = [1, 6, 1, 1, 4];

        // The sampler adjusts the row in place; each step recounts nothing but sees the whole sequence so far.
        for (int length = 0; length <= generated.Length; length++)
        {
            float[] logits = [.. Skewed];
            sampler.Next(logits, generated.AsSpan(0, length));

            for (int id = 0; id < Skewed.Length; id++)
            {
                int count = generated.Take(length).Count(token => token == id);
                double expected = Skewed[id] - (count * parameters.FrequencyPenalty) - (count > 0 ? parameters.PresencePenalty : 0)
                    + parameters.LogitBias.GetValueOrDefault(id);
                Assert.Equal(expected, logits[id], 1e-5);
            }
        }
    }

    [Fact]
    public void Next_PresencePenalty_MovesGreedyOffARepeatedToken()
    {
        var sampler = new TokenSampler(new SamplingParameters { Temperature = 0, PresencePenalty = 0.6 }, Skewed.Length);

        Assert.Equal(5, Sample(sampler, Skewed).Id);
        Assert.Equal(6, Sample(sampler, Skewed, generated: [5]).Id);
    }

    [Fact]
    public void Next_BiasOfMinusHundred_BansATokenAndPlusHundredForcesIt()
    {
        int[] banned = Tokens(new SamplingParameters { Temperature = 2, LogitBias = new Dictionary<int, double> { [5] = -100 }, Seed = 1 }, 2000);
        int[] forced = Tokens(new SamplingParameters { Temperature = 2, LogitBias = new Dictionary<int, double> { [7] = 100 }, Seed = 1 }, 2000);

        Assert.DoesNotContain(5, banned);
        Assert.All(forced, id => Assert.Equal(7, id));
    }

    [Fact]
    public void Next_BiasedDraws_FollowTheSoftmaxOfTheBiasedLogits()
    {
        var bias = new Dictionary<int, double> { [7] = 3, [5] = -1.5 };
        float[] biased = [.. Skewed.Select((x, id) => (float)(x + bias.GetValueOrDefault(id)))];

        AssertDrawsFollow(TruncatedSoftmax(biased, 1, 0, 1), new SamplingParameters { LogitBias = bias, Seed = 31 });
    }

    [Theory]
    [InlineData("greedy", 0.0, 0, 1.0)]
    [InlineData("temperature", 0.8, 0, 1.0)]
    [InlineData("top_p", 0.8, 0, 0.9)]
    [InlineData("top_k and top_p", 0.8, 50, 0.9)]
    public void Next_AfterTheFirstTokens_AllocatesNothingPerTokenWithoutTopLogprobs(string path, double temperature, int topK, double topP)
    {
        var data = new Xoshiro256StarStar(5);
        float[] raw = [.. Enumerable.Range(0, 50_000).Select(_ => (float)(data.NextDouble() * 10))];
        float[] logits = new float[raw.Length];
        int[] generated = [.. Enumerable.Range(0, 64).Select(i => i * 13)];
        var sampler = new TokenSampler(new SamplingParameters
        {
            Temperature = temperature,
            TopK = topK,
            TopP = topP,
            PresencePenalty = 0.5,
            LogitBias = new Dictionary<int, double> { [7] = 2 },
            Seed = 1,
        }, raw.Length);
        for (int i = 0; i < 3; i++)
        {
            raw.CopyTo(logits, 0);
            sampler.Next(logits, generated);
        }

        // The least of three windows of 20 tokens: a sampler that allocates per token allocates in every one, while the
        // shared array pool, trimmed by a GC that other tests' garbage set off, may rent afresh once (seen on a loaded CI
        // machine: 2056 bytes in one window).
        long least = long.MaxValue;
        for (int window = 0; window < 3 && least > 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++)
            {
                raw.CopyTo(logits, 0);
                sampler.Next(logits, generated);
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(least == 0, $"{path} allocated {least} bytes in each of three windows of 20 tokens");
    }

    [Theory]
    [InlineData("temperature")]
    [InlineData("top_p")]
    [InlineData("top_k")]
    [InlineData("presence_penalty")]
    [InlineData("frequency_penalty")]
    [InlineData("top_logprobs")]
    [InlineData("logit_bias")]
    public void Constructor_FieldOutOfRange_NamesTheField(string field)
    {
        SamplingParameters parameters = field switch
        {
            "temperature" => new SamplingParameters { Temperature = 2.5 },
            "top_p" => new SamplingParameters { TopP = double.NaN },
            "top_k" => new SamplingParameters { TopK = -1 },
            "presence_penalty" => new SamplingParameters { PresencePenalty = -2.01 },
            "frequency_penalty" => new SamplingParameters { FrequencyPenalty = 3 },
            "top_logprobs" => new SamplingParameters { TopLogprobs = 21 },
            _ => new SamplingParameters { LogitBias = new Dictionary<int, double> { [8] = 1 } },
        };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TokenSampler(parameters, Skewed.Length));

        Assert.Equal(field, error.ParamName);
        Assert.Contains($"'{field}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Next_NaNLogits_FailsWithAClearMessage()
    {
        var sampler = new TokenSampler(new SamplingParameters(), 3);

        var error = Assert.Throws<InvalidOperationException>(() => Sample(sampler, [0f, float.NaN, 1f]));

        Assert.Contains("NaN", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// 40,000 draws from <see cref="Skewed"/>. A fixed seed makes the counts fixed: the bound is 5 standard deviations
    /// of a binomial count (a correct sampler lands inside it for all but ~1e-6 of seeds), and tokens outside the
    /// truncation (probability 0) never appear.
    /// </summary>
    private static void AssertDrawsFollow(double[] expected, SamplingParameters parameters)
    {
        const int Draws = 40_000;
        int[] counts = new int[Skewed.Length];
        foreach (int id in Tokens(parameters, Draws))
        {
            counts[id]++;
        }

        for (int id = 0; id < counts.Length; id++)
        {
            double mean = Draws * expected[id];
            double bound = 5 * Math.Sqrt(Draws * expected[id] * (1 - expected[id]));
            Assert.True(Math.Abs(counts[id] - mean) <= bound, $"token {id}: {counts[id]} draws, expected {mean:F0} ± {bound:F0}");
        }
    }

    private static SampledToken Sample(TokenSampler sampler, float[] logits, int[]? generated = null) =>
        sampler.Next(logits.ToArray(), generated ?? []);

    /// <summary>Samples <paramref name="count"/> tokens from the same logits (a fixed distribution, no penalties).</summary>
    private static int[] Tokens(SamplingParameters parameters, int count, float[]? logits = null, int choice = 0)
    {
        logits ??= Skewed;
        var sampler = new TokenSampler(parameters, logits.Length, choice);
        return [.. Enumerable.Range(0, count).Select(_ => Sample(sampler, logits).Id)];
    }

    private static double[] LogSoftmax(float[] logits)
    {
        double max = logits.Max();
        double log = Math.Log(logits.Sum(x => Math.Exp(x - max)));
        return [.. logits.Select(x => x - max - log)];
    }

    /// <summary>The textbook definition: softmax at the temperature, keep the top k, renormalize, keep the nucleus, renormalize.</summary>
    private static double[] TruncatedSoftmax(float[] logits, double temperature, int topK, double topP)
    {
        double[] p = [.. logits.Select(x => Math.Exp(x / temperature))];
        int[] order = [.. Enumerable.Range(0, p.Length).OrderByDescending(id => p[id])];
        var kept = new HashSet<int>(topK > 0 ? order.Take(topK) : order);
        double keptMass = kept.Sum(id => p[id]);
        double cumulative = 0;
        var nucleus = new HashSet<int>();
        foreach (int id in order.Where(kept.Contains))
        {
            nucleus.Add(id);
            cumulative += p[id] / keptMass;
            if (cumulative >= topP)
            {
                break;
            }
        }

        double mass = nucleus.Sum(id => p[id]);
        return [.. Enumerable.Range(0, p.Length).Select(id => nucleus.Contains(id) ? p[id] / mass : 0)];
    }
}
