using Thaw.Inference.Generation.Stopping;

namespace Thaw.Inference.Tests.Generation.Stopping;

public sealed class StopSequenceMatcherTests
{
    [Theory]
    [InlineData(new[] { "Hello wor", "ld. END", " more" }, "Hello world. ")]
    [InlineData(new[] { "Hello world. E", "N", "D" }, "Hello world. ")]
    [InlineData(new[] { "Hello world. E", "N", "Dless" }, "Hello world. ")]
    [InlineData(new[] { "H", "e", "l", "l", "o", " ", "E", "N", "D" }, "Hello ")]
    [InlineData(new[] { "Hello ENDING" }, "Hello ")]
    public void Push_StopSplitAcrossPieces_EmitsTheTextBeforeItAndNothingOfIt(string[] pieces, string expected)
    {
        var matcher = new StopSequenceMatcher(["END"]);

        string emitted = string.Concat(pieces.Select(matcher.Push));

        Assert.True(matcher.Stopped);
        Assert.Equal(expected, emitted);
        Assert.Equal("", matcher.Flush());
    }

    [Fact]
    public void Push_PossibleStart_IsHeldUntilItCanNoLongerBeAStop()
    {
        var matcher = new StopSequenceMatcher(["END"]);

        Assert.Equal("It is ", matcher.Push("It is E"));
        Assert.Equal("", matcher.Push("N"));
        Assert.Equal("ENOUGH", matcher.Push("OUGH"));
        Assert.False(matcher.Stopped);
    }

    [Theory]
    [InlineData(new[] { "x", "a", "b", "c" }, "x")]
    [InlineData(new[] { "xab" }, "x")]
    [InlineData(new[] { "xa", "bd" }, "x")]
    public void Push_StopsThatArePrefixesOfEachOther_StopAtTheFirstToComplete(string[] pieces, string expected)
    {
        var matcher = new StopSequenceMatcher(["abc", "ab"]);

        Assert.Equal(expected, string.Concat(pieces.Select(matcher.Push)));
        Assert.True(matcher.Stopped);
    }

    [Theory]
    [InlineData(new[] { "a", "a", "a", "b" }, "a")]
    [InlineData(new[] { "aa", "ab" }, "a")]
    [InlineData(new[] { "aaa", "ab" }, "aa")]
    [InlineData(new[] { "aaaab" }, "aa")]
    public void Push_SelfOverlappingStop_MatchesWhereItEnds(string[] pieces, string expected)
    {
        var matcher = new StopSequenceMatcher(["aab"]);

        Assert.Equal(expected, string.Concat(pieces.Select(matcher.Push)));
        Assert.True(matcher.Stopped);
    }

    [Fact]
    public void Push_StopThatCompletesBeforeAnEarlierStartingOne_Wins()
    {
        var matcher = new StopSequenceMatcher(["abcd", "bc"]);

        Assert.Equal("", matcher.Push("a"));
        Assert.Equal("", matcher.Push("b"));
        Assert.Equal("a", matcher.Push("c"));
        Assert.True(matcher.Stopped);
    }

    [Fact]
    public void Push_TwoStopsCompletingInOnePiece_TheOneEndingFirstWins()
    {
        var matcher = new StopSequenceMatcher(["world", "lo w"]);

        Assert.Equal("hel", matcher.Push("hello world"));
    }

    [Fact]
    public void Push_StopAtTheVeryStart_EmitsNothing()
    {
        var matcher = new StopSequenceMatcher(["\n\n", "User:"]);

        Assert.Equal("", matcher.Push("Us"));
        Assert.Equal("", matcher.Push("er: hi"));
        Assert.True(matcher.Stopped);
        Assert.Equal("", matcher.Push("more"));
    }

    [Fact]
    public void Flush_HeldTailWithNoStopCompleted_IsEmittedAtTheEnd()
    {
        var matcher = new StopSequenceMatcher(["</answer>"]);

        Assert.Equal("42 ", matcher.Push("42 </ans"));

        Assert.False(matcher.Stopped);
        Assert.Equal("</ans", matcher.Flush());
        Assert.Equal("", matcher.Flush());
    }

    [Theory]
    [InlineData(new[] { "I feel 🙂", " ok" }, "🙂", "I feel ")]
    [InlineData(new[] { "日本", "語の", "テキスト" }, "語のテ", "日本")]
    [InlineData(new[] { "a👨‍", "👩‍👧 b" }, "👨‍👩", "a")]
    public void Push_UnicodeStops_MatchOnWholeCharacters(string[] pieces, string stop, string expected)
    {
        var matcher = new StopSequenceMatcher([stop]);

        Assert.Equal(expected, string.Concat(pieces.Select(matcher.Push)));
        Assert.True(matcher.Stopped);
    }

    [Fact]
    public void Push_NoStops_EmitsEverythingAtOnce()
    {
        var matcher = new StopSequenceMatcher([]);

        Assert.Equal("anything", matcher.Push("anything"));
        Assert.Equal("", matcher.Flush());
    }

    [Theory]
    [InlineData("a,b,c,d,e")]
    [InlineData("a,")]
    public void Constructor_TooManyOrEmptyStops_NamesTheField(string commaSeparated)
    {
        var error = Assert.Throws<ArgumentException>(() => new StopSequenceMatcher(commaSeparated.Split(',')));

        Assert.Equal("stop", error.ParamName);
    }
}
