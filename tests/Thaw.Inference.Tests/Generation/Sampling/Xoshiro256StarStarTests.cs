using Thaw.Inference.Generation.Sampling;

namespace Thaw.Inference.Tests.Generation.Sampling;

public sealed class Xoshiro256StarStarTests
{
    [Fact]
    public void SplitMix64_SeedZero_GivesThePublishedFirstOutput()
    {
        ulong state = 0;

        Assert.Equal(0xE220A8397B1DCDAFUL, Xoshiro256StarStar.SplitMix64(ref state));
    }

    // Printed by the authors' reference C code (xoshiro256starstar.c and splitmix64.c from prng.di.unimi.it, state
    // seeded by four SplitMix64 outputs), compiled with gcc: the numbers a seed gives on every platform.
    [Theory]
    [InlineData(0UL, new[] { 0x99EC5F36CB75F2B4UL, 0xBF6E1F784956452AUL, 0x1A5F849D4933E6E0UL, 0x6AA594F1262D2D2CUL })]
    [InlineData(42UL, new[] { 0x15780B2E0C2EC716UL, 0x6104D9866D113A7EUL, 0xAE17533239E499A1UL, 0xECB8AD4703B360A1UL })]
    public void NextUInt64_Seed_MatchesTheReferenceImplementation(ulong seed, ulong[] expected)
    {
        var random = new Xoshiro256StarStar(seed);

        Assert.Equal(expected, expected.Select(_ => random.NextUInt64()));
    }

    [Fact]
    public void NextDouble_TopFiftyThreeBits_StaysInUnitInterval()
    {
        var random = new Xoshiro256StarStar(7);
        var reference = new Xoshiro256StarStar(7);

        for (int i = 0; i < 1000; i++)
        {
            double value = random.NextDouble();
            Assert.InRange(value, 0, Math.BitDecrement(1.0));
            Assert.Equal((reference.NextUInt64() >> 11) / 9007199254740992.0, value);
        }
    }
}
