using Thaw.Inference.Generation.Scheduling;
using Thaw.Inference.Generation.Stopping;
using Thaw.Inference.Generation.Tokenizers;
using Thaw.Inference.Tests.Generation.Tokenizers;

namespace Thaw.Inference.Tests.Generation.Stopping;

public sealed class CompletionTextTests
{
    [Theory]
    [InlineData("The answer is 42.\n\nQuestion: next", "\n\nQuestion:", "The answer is 42.")]
    [InlineData("Bonjour 😀 le monde", "😀", "Bonjour ")]
    [InlineData("Bonjour 😀 le monde", " 😀 l", "Bonjour")]
    [InlineData("日本語のテキスト 🤖🤖 end", "🤖 end", "日本語のテキスト 🤖")]
    public void Push_StopInTheTokenStream_StreamsTheTextBeforeItWithoutHalfCharacters(string generated, string stop, string expected)
    {
        ByteLevelBpeTokenizer tokenizer = Gpt2Files.Tokenizer;
        IReadOnlyList<int> ids = tokenizer.Encode(generated, addSpecialTokens: false);
        var text = new CompletionText(tokenizer, [stop, "never"]);

        var pieces = new List<string>();
        int pushed = 0;
        foreach (int id in ids)
        {
            pieces.Add(text.Push(id));
            pushed++;
            if (text.Stopped)
            {
                break;
            }
        }

        Assert.True(text.Stopped);
        Assert.True(pushed < ids.Count || generated.EndsWith(stop, StringComparison.Ordinal), "it stops at the token that completes the stop");
        Assert.Equal(expected, string.Concat(pieces));
        Assert.All(pieces, piece => Assert.DoesNotContain('\uFFFD', piece));
        Assert.All(pieces, piece => Assert.True(piece.Length == 0 || !char.IsHighSurrogate(piece[^1])));
        Assert.Equal(FinishReason.Stop, text.FinishReason(FinishReason.Length));
    }

    [Fact]
    public void Finish_NoStopCompleted_FlushesTheHeldTailAndKeepsTheSchedulersReason()
    {
        ByteLevelBpeTokenizer tokenizer = Gpt2Files.Tokenizer;
        var text = new CompletionText(tokenizer, ["</answer>"]);

        string streamed = string.Concat(tokenizer.Encode("It is 42 </ans", addSpecialTokens: false).Select(text.Push));

        Assert.Equal("It is 42 ", streamed);
        Assert.Equal("</ans", text.Finish());
        Assert.False(text.Stopped);
        Assert.Equal(FinishReason.Length, text.FinishReason(FinishReason.Length));
        Assert.Equal(FinishReason.Stop, text.FinishReason(FinishReason.Stop));
    }

    [Theory]
    [InlineData("k\uFFFDx", "k\uFFFD", false)]
    [InlineData("k\uFFFD", "", true)]
    public void Finish_IncompleteLastCharacter_GoesThroughTheStopsAsReplacementCharacter(string stop, string finished, bool stopped)
    {
        ByteLevelBpeTokenizer tokenizer = Gpt2Files.Tokenizer;
        IReadOnlyList<int> ids = tokenizer.Encode("ok😀", addSpecialTokens: false);
        var text = new CompletionText(tokenizer, [stop]);

        Assert.Equal("o", string.Concat(ids.Take(ids.Count - 1).Select(text.Push)));
        Assert.Equal(finished, text.Finish());
        Assert.Equal(stopped, text.Stopped);
    }

    [Fact]
    public void Push_SpecialTokens_AreSkippedFromTheText()
    {
        ByteLevelBpeTokenizer tokenizer = Gpt2Files.Tokenizer;
        Assert.True(tokenizer.TryGetSpecialTokenId("<|endoftext|>", out int endOfText));
        var text = new CompletionText(tokenizer, []);

        Assert.Equal("", text.Push(endOfText));
        Assert.Equal("hi", string.Concat(tokenizer.Encode("hi", addSpecialTokens: false).Select(text.Push)));
    }
}
