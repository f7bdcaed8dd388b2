using Thaw.Inference.Generation.Decoding;
using Thaw.Inference.Onnx.Generation;

namespace Thaw.Inference.Onnx.Tests.Generation;

/// <summary>Both backends against the float64 reference and against themselves run one sequence at a time.</summary>
public sealed class DecoderSessionTests
{
    private const double Tolerance = 1e-4;

    private static readonly int[] Prompt = [5, 17, 99, 3, 64, 127, 42];

    [Theory]
    [InlineData(nameof(DecoderLayout.Optimum), 16)]
    [InlineData(nameof(DecoderLayout.Optimum), 3)]
    [InlineData(nameof(DecoderLayout.GroupQueryAttention), 16)]
    [InlineData(nameof(DecoderLayout.GroupQueryAttention), 3)]
    public void Run_GreedyWithCache_TokensAndLogprobsMatchReference(string layoutName, int prefillChunk)
    {
        DecoderLayout layout = Enum.Parse<DecoderLayout>(layoutName);
        var reference = new ReferenceDecoder(SyntheticSessions.Weights(layout));
        using IDecoderSession session = SyntheticSessions.Create(layout, slots: 2);

        (int[] tokens, float[][] logits) = ScriptedDecoding.Run(session, [new ScriptedRequest(1, 0, Prompt, 12)], prefillChunk)[0];

        Assert.Equal(reference.Greedy(Prompt, 12), tokens);
        AssertLogprobsMatchReference(reference, Prompt, tokens, logits);
    }

    [Theory]
    [InlineData(nameof(DecoderLayout.Optimum))]
    [InlineData(nameof(DecoderLayout.GroupQueryAttention))]
    public void Run_FullRecomputeEachStep_TokensAndLogprobsMatchReference(string layoutName)
    {
        DecoderLayout layout = Enum.Parse<DecoderLayout>(layoutName);
        var reference = new ReferenceDecoder(SyntheticSessions.Weights(layout));
        using IDecoderSession session = SyntheticSessions.Create(layout, slots: 1);
        var sequence = new List<int>(Prompt);
        var logits = new List<float[]>();
        var row = new float[session.VocabSize];

        for (int step = 0; step < 8; step++)
        {
            session.Reset(0);
            session.Run([new DecoderInput(0, sequence.ToArray())], row);
            logits.Add(row.ToArray());
            sequence.Add(Array.IndexOf(row, row.Max()));
        }

        int[] tokens = [.. sequence.Skip(Prompt.Length)];
        Assert.Equal(reference.Greedy(Prompt, 8), tokens);
        AssertLogprobsMatchReference(reference, Prompt, tokens, [.. logits]);
    }

    [Theory]
    [InlineData(nameof(DecoderLayout.Optimum))]
    [InlineData(nameof(DecoderLayout.GroupQueryAttention))]
    public void Run_RequestsJoiningAndLeavingMidRun_EachMatchesItselfAlone(string layoutName)
    {
        DecoderLayout layout = Enum.Parse<DecoderLayout>(layoutName);
        // Slots 1 and 2 start empty between busy ones; slot 0 is reused after its first request leaves; prompts of
        // one token (decoded with the others) and of several chunks (prefilled while the others decode); rows that sit
        // out steps while holding their sequence.
        ScriptedRequest[] requests =
        [
            new(0, 0, [5, 17, 99, 3, 64, 127], 7),
            new(3, 1, [11], 9, SitOut: [5, 6, 9]),
            new(1, 2, [40, 41, 42, 43, 44, 45, 46, 47, 48], 6),
            new(0, 3, [7, 7, 1, 2, 3], 8),
            new(4, 4, [100, 90, 80], 11, SitOut: [8]),
            new(2, 9, [1, 2], 4),
        ];
        using IDecoderSession batched = SyntheticSessions.Create(layout, slots: 5);

        (int[] Tokens, float[][] Logits)[] together = ScriptedDecoding.Run(batched, requests, prefillChunk: 4);

        var reference = new ReferenceDecoder(SyntheticSessions.Weights(layout));
        for (int r = 0; r < requests.Length; r++)
        {
            using IDecoderSession single = SyntheticSessions.Create(layout, slots: 1);
            (int[] tokens, float[][] logits) = ScriptedDecoding.Run(single, [requests[r] with { Slot = 0, Arrival = 0 }], prefillChunk: 64)[0];
            Assert.Equal(tokens, together[r].Tokens);
            Assert.Equal(reference.Greedy(requests[r].Prompt, requests[r].MaxTokens), together[r].Tokens);
            for (int t = 0; t < tokens.Length; t++)
            {
                LogitAssert.Close([.. logits[t].Select(x => (double)x)], together[r].Logits[t], Tolerance);
            }
        }
    }

    [Theory]
    [InlineData(nameof(DecoderLayout.Optimum))]
    [InlineData(nameof(DecoderLayout.GroupQueryAttention))]
    public void Run_SeveralTokensForADecodingSlot_LogitsMatchReference(string layoutName)
    {
        DecoderLayout layout = Enum.Parse<DecoderLayout>(layoutName);
        var reference = new ReferenceDecoder(SyntheticSessions.Weights(layout));
        using IDecoderSession session = SyntheticSessions.Create(layout, slots: 2);
        int vocab = session.VocabSize;
        var logits = new float[2 * vocab];
        session.Run([new DecoderInput(0, new[] { 1, 2, 3 }), new DecoderInput(1, new[] { 9, 8 })], logits);
        session.Run([new DecoderInput(0, new[] { 4 }), new DecoderInput(1, new[] { 7 })], logits);

        session.Run([new DecoderInput(0, new[] { 5, 6, 7 }), new DecoderInput(1, new[] { 6 })], logits);
        session.Run([new DecoderInput(0, new[] { 8 }), new DecoderInput(1, new[] { 5 })], logits);

        LogitAssert.Close(reference.Logits([1, 2, 3, 4, 5, 6, 7, 8])[^1], logits.AsSpan(0, vocab), Tolerance);
        LogitAssert.Close(reference.Logits([9, 8, 7, 6, 5])[^1], logits.AsSpan(vocab, vocab), Tolerance);
        Assert.Equal(8, session.LengthOf(0));
    }

    [Theory]
    [InlineData(nameof(DecoderLayout.Optimum))]
    [InlineData(nameof(DecoderLayout.GroupQueryAttention))]
    public void Run_BeyondContextOrSlotTwice_ThrowsAndKeepsLengths(string layoutName)
    {
        using IDecoderSession session = SyntheticSessions.Create(Enum.Parse<DecoderLayout>(layoutName), slots: 2, contextLength: 8);
        var logits = new float[2 * session.VocabSize];
        session.Run([new DecoderInput(0, new[] { 1, 2, 3, 4, 5, 6 })], logits);

        Assert.Throws<ArgumentException>(() => session.Run([new DecoderInput(0, new[] { 1, 2, 3 })], logits));
        Assert.Throws<ArgumentException>(() => session.Run([new DecoderInput(1, new[] { 1 }), new DecoderInput(1, new[] { 2 })], logits));
        Assert.Throws<ArgumentOutOfRangeException>(() => session.Run([new DecoderInput(2, new[] { 1 })], logits));
        Assert.Equal(6, session.LengthOf(0));
        Assert.Equal(0, session.LengthOf(1));
    }

    private static void AssertLogprobsMatchReference(ReferenceDecoder reference, int[] prompt, int[] tokens, float[][] logits)
    {
        double[][] expected = reference.Logits([.. prompt, .. tokens]);
        for (int t = 0; t < tokens.Length; t++)
        {
            LogitAssert.Close(LogSoftmax(expected[prompt.Length - 1 + t]), LogSoftmax([.. logits[t].Select(x => (double)x)]).Select(x => (float)x).ToArray(), Tolerance);
        }
    }

    private static double[] LogSoftmax(double[] logits)
    {
        double max = logits.Max();
        double log = Math.Log(logits.Sum(x => Math.Exp(x - max))) + max;
        return [.. logits.Select(x => x - log)];
    }
}
