using Thaw.Inference.Generation.Tokenizers;

namespace Thaw.Inference.Tests.Generation.Tokenizers;

public sealed class SentencePieceBpeTokenizerTests
{
    // Scores order the merges: ▁t, he, ▁the, ▁c, at, ▁cat; the single characters score lowest.
    private static readonly (string, float)[] Pieces =
    [
        ("▁t", -1), ("he", -2), ("▁the", -3), ("▁c", -4), ("at", -5), ("▁cat", -6),
        ("▁", -10), ("t", -11), ("h", -12), ("e", -13), ("c", -14), ("a", -15), ("s", -16),
    ];

    private static int Id(string piece) => SentencePieceModel.FirstPiece + Array.FindIndex(Pieces, p => p.Item1 == piece);

    [Fact]
    public void Encode_BpeByScore_MergesHighestScoringPairsAndAddsBos()
    {
        SentencePieceBpeTokenizer tokenizer = SentencePieceBpeTokenizer.Create(SentencePieceModel.Create(Pieces));

        Assert.Equal([1, Id("▁the"), Id("▁cat"), Id("s")], tokenizer.Encode("the cats", addSpecialTokens: true));
        Assert.Equal([Id("▁the"), Id("▁cat"), Id("s")], tokenizer.Encode("the cats", addSpecialTokens: false));
        Assert.Equal(1, tokenizer.BeginningOfSequenceId);
        Assert.Equal(2, tokenizer.EndOfSequenceId);
    }

    [Fact]
    public void Encode_UnknownCharacter_FallsBackToItsUtf8Bytes()
    {
        SentencePieceBpeTokenizer tokenizer = SentencePieceBpeTokenizer.Create(SentencePieceModel.Create(Pieces));

        IReadOnlyList<int> ids = tokenizer.Encode("cat😀", addSpecialTokens: false);

        Assert.Equal([Id("▁cat"), 3 + 0xF0, 3 + 0x9F, 3 + 0x98, 3 + 0x80], ids);
        Assert.Equal([0xF0], tokenizer.GetTokenBytes(ids[1]).ToArray());
        Assert.Equal("cat😀", tokenizer.Decode([.. ids], skipSpecialTokens: true));
    }

    [Fact]
    public void Decode_WithBos_SkipsItAndDropsTheDummyPrefixSpace()
    {
        SentencePieceBpeTokenizer tokenizer = SentencePieceBpeTokenizer.Create(SentencePieceModel.Create(Pieces));
        int[] ids = [.. tokenizer.Encode("the cats", addSpecialTokens: true)];

        Assert.Equal("the cats", tokenizer.Decode(ids, skipSpecialTokens: true));
        Assert.Equal(" the"u8.ToArray(), tokenizer.GetTokenBytes(Id("▁the")).ToArray());
        Assert.True(tokenizer.IsSpecial(1));
        Assert.True(tokenizer.TryGetSpecialTokenId("</s>", out int eos));
        Assert.Equal(2, eos);
    }

    [Fact]
    public void Create_NotAModel_ThrowsInvalidDataException()
    {
        using var garbage = new MemoryStream([0xFF, 0xFF, 0xFF]);

        Assert.Throws<InvalidDataException>(() => SentencePieceBpeTokenizer.Create(garbage));
    }
}
