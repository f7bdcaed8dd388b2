using Thaw.Inference.Catalog;
using Thaw.Inference.Sources;
using Thaw.Inference.Tokenization;
using Thaw.Testing;

namespace Thaw.Inference.Tests.Tokenization;

/// <summary>
/// Expected tokens follow Hugging Face's BertTokenizerFast (the tokenizer these models were trained with) on the
/// bert-base-uncased vocabulary: written out by hand from its rules, then mapped to ids through vocab.txt.
/// </summary>
public sealed class EmbeddingTokenizerTests : IAsyncLifetime
{
    private EmbeddingTokenizer _tokenizer = null!;
    private Dictionary<string, int> _vocab = null!;

    public async Task InitializeAsync()
    {
        ModelFiles files = await RealModels.EnsureFilesAsync(RealModels.MiniLm);
        _tokenizer = EmbeddingTokenizer.Create(files.VocabPath, new TokenizerSpec { Kind = "bert-wordpiece" });
        _vocab = File.ReadLines(files.VocabPath).Select((token, id) => (token, id)).ToDictionary(p => p.token, p => p.id);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void Encode_PlainSentence_MatchesKnownBertIds()
    {
        Assert.Equal([101, 7592, 1010, 2088, 999, 102], _tokenizer.Encode("Hello, world!", 256).Ids);
    }

    [Theory]
    [InlineData("The quick brown fox.", new[] { "the", "quick", "brown", "fox", "." })]
    [InlineData("one\ttwo\nthree\r\nfour", new[] { "one", "two", "three", "four" })]
    [InlineData("Café naïve résumé", new[] { "cafe", "naive", "resume" })]
    [InlineData("It costs $5 + 3 = 8", new[] { "it", "costs", "$", "5", "+", "3", "=", "8" })]
    [InlineData("a<b>c|d~e^f`g", new[] { "a", "<", "b", ">", "c", "|", "d", "~", "e", "^", "f", "`", "g" })]
    [InlineData("中文 text", new[] { "中", "文", "text" })]
    [InlineData("in\u200bto can\u0000not", new[] { "into", "cannot" })]
    [InlineData("embeddings", new[] { "em", "##bed", "##ding", "##s" })]
    public void Encode_EdgeCases_MatchHuggingFace(string text, string[] expectedTokens)
    {
        int[] expected = [101, .. expectedTokens.Select(t => _vocab[t]), 102];

        TokenizedInput tokenized = _tokenizer.Encode(text, 256);

        Assert.Equal(expected, tokenized.Ids);
        Assert.False(tokenized.Truncated);
    }

    [Fact]
    public void Encode_LongerThanMax_KeepsTheHeadAndReportsTruncation()
    {
        string text = string.Join(' ', Enumerable.Repeat("word", 300));

        TokenizedInput tokenized = _tokenizer.Encode(text, 256);

        Assert.Equal(256, tokenized.Ids.Length);
        Assert.Equal((101, 102), (tokenized.Ids[0], tokenized.Ids[^1]));
        Assert.All(tokenized.Ids[1..^1], id => Assert.Equal(_vocab["word"], id));
        Assert.True(tokenized.Truncated);
    }

    [Fact]
    public void Encode_ExactlyMax_IsNotTruncated()
    {
        TokenizedInput tokenized = _tokenizer.Encode(string.Join(' ', Enumerable.Repeat("word", 254)), 256);

        Assert.Equal(256, tokenized.Ids.Length);
        Assert.False(tokenized.Truncated);
    }
}
