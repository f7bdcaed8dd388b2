using System.Text;
using Thaw.Inference.Generation.Tokenizers;

namespace Thaw.Inference.Tests.Generation.Tokenizers;

public sealed class StreamingDetokenizerTests
{
    [Theory]
    [InlineData("😀")]
    [InlineData("family 👨‍👩‍👧‍👦 and 🇫🇷 flags")]
    [InlineData("日本語のテキスト 🤖🤖")]
    public void Push_EmojiSplitOverTokens_NeverEmitsHalfACharacter(string text)
    {
        ByteLevelBpeTokenizer tokenizer = Gpt2Files.Tokenizer;
        IReadOnlyList<int> ids = tokenizer.Encode(text, addSpecialTokens: false);
        var detokenizer = new StreamingDetokenizer(tokenizer);
        var pieces = new List<string>();

        foreach (int id in ids)
        {
            pieces.Add(detokenizer.Push(id));
        }

        pieces.Add(detokenizer.Flush());

        Assert.True(ids.Count > new System.Globalization.StringInfo(text).LengthInTextElements, "the text should split characters over tokens");
        Assert.All(pieces, piece => Assert.DoesNotContain('\uFFFD', piece));
        Assert.All(pieces, piece => Assert.True(piece.Length == 0 || !char.IsHighSurrogate(piece[^1])));
        Assert.Equal(text, string.Concat(pieces));
    }

    [Fact]
    public void Push_FirstTokenOfAnEmoji_HoldsItUntilTheLastArrives()
    {
        ByteLevelBpeTokenizer tokenizer = Gpt2Files.Tokenizer;
        IReadOnlyList<int> ids = tokenizer.Encode("😀", addSpecialTokens: false);
        var detokenizer = new StreamingDetokenizer(tokenizer);

        Assert.True(ids.Count >= 2);
        for (int i = 0; i < ids.Count - 1; i++)
        {
            Assert.Equal("", detokenizer.Push(ids[i]));
        }

        Assert.Equal("😀", detokenizer.Push(ids[^1]));
        Assert.Equal("", detokenizer.Flush());
    }

    [Fact]
    public void Flush_IncompleteCharacterAtTheEnd_BecomesReplacementCharacter()
    {
        ByteLevelBpeTokenizer tokenizer = Gpt2Files.Tokenizer;
        IReadOnlyList<int> ids = tokenizer.Encode("ok😀", addSpecialTokens: false);
        var detokenizer = new StreamingDetokenizer(tokenizer);

        string text = string.Concat(ids.Take(ids.Count - 1).Select(detokenizer.Push));

        Assert.Equal("ok", text);
        Assert.Equal("\uFFFD", detokenizer.Flush());
    }

    [Fact]
    public void Push_SpecialToken_SkippedUnlessAsked()
    {
        ByteLevelBpeTokenizer tokenizer = Gpt2Files.Tokenizer;

        Assert.Equal("", new StreamingDetokenizer(tokenizer).Push(Gpt2Files.EndOfText));
        Assert.Equal(Gpt2Files.EndOfTextToken, new StreamingDetokenizer(tokenizer, skipSpecialTokens: false).Push(Gpt2Files.EndOfText));
    }

    [Fact]
    public void Push_WholeCorpus_ConcatenatesToTheFullDecode()
    {
        ByteLevelBpeTokenizer tokenizer = Gpt2Files.Tokenizer;
        string text = string.Concat(ByteLevelBpeTokenizerTests.Texts);
        int[] ids = [.. tokenizer.Encode(text, addSpecialTokens: false)];
        var detokenizer = new StreamingDetokenizer(tokenizer);
        var streamed = new StringBuilder();

        foreach (int id in ids)
        {
            streamed.Append(detokenizer.Push(id));
        }

        streamed.Append(detokenizer.Flush());

        Assert.Equal(tokenizer.Decode(ids, skipSpecialTokens: true), streamed.ToString());
    }
}
