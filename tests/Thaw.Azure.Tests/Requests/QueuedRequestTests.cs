using System.Text;
using System.Text.Json;
using Thaw.Azure.Jobs;

namespace Thaw.Azure.Tests.Requests;

/// <summary>A reply blob's name is checked before anything is written: what the service would read otherwise is refused.</summary>
public sealed class QueuedRequestTests
{
    [Theory]
    [InlineData("replies/../thaw-files/batches/x.json", "'..' segment")]
    [InlineData("replies//etc/x.json", "empty")]
    [InlineData("replies/./x.json", "'.' or '..' segment")]
    [InlineData("replies/answers/", "trailing slash")]
    [InlineData("replies/answers.", "does not end with a dot")]
    [InlineData("replies/a\\..\\b", "backslash")]
    [InlineData("replies/a\u0001b", "control character")]
    public void TryParse_ReplyBlobNameTheServiceWouldReadOtherwise_IsRefused(string blob, string reason)
    {
        Assert.False(QueuedRequest.TryParse(Message(blob), out _, out string problem));

        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_ReplyBlobNameOverTheServiceLimits_IsRefused()
    {
        Assert.False(QueuedRequest.TryParse(Message("replies/" + new string('a', 1025)), out _, out string tooLong));
        Assert.False(QueuedRequest.TryParse(Message("replies/" + string.Join('/', Enumerable.Repeat("a", 255))), out _, out string tooDeep));

        Assert.Contains("1 to 1024 characters", tooLong, StringComparison.Ordinal);
        Assert.Contains("at most 254 segments", tooDeep, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_PlainReplyBlob_NamesContainerAndPath()
    {
        Assert.True(QueuedRequest.TryParse(Message("replies/" + string.Join('/', Enumerable.Repeat("a", 254))), out _, out _));
        Assert.True(QueuedRequest.TryParse(Message("replies/answers/r1.json"), out QueuedRequest request, out _));

        Assert.Equal(("replies", "answers/r1.json"), (request.ReplyContainer, request.ReplyBlob));
    }

    [Fact]
    public void TryParse_NoUrl_IsAnEmbeddingsRequest_AndAUrlIsKept()
    {
        Assert.True(QueuedRequest.TryParse(Message("replies/r1.json"), out QueuedRequest old, out _));
        Assert.True(QueuedRequest.TryParse(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(
            new { id = "r2", url = "/v1/chat/completions", body = new { model = "m" }, reply_to = new { queue = "replies" } })), out QueuedRequest chat, out _));

        Assert.Equal("/v1/embeddings", old.Url);
        Assert.Equal("/v1/chat/completions", chat.Url);
    }

    [Fact]
    public void TryParse_UrlThatIsNotAString_IsRefused()
    {
        Assert.False(QueuedRequest.TryParse(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(
            new { id = "r1", url = 7, body = new { input = "x" }, reply_to = new { queue = "replies" } })), out _, out string problem));

        Assert.Contains("'url'", problem, StringComparison.Ordinal);
    }

    private static byte[] Message(string blob) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { id = "r1", body = new { input = "x" }, reply_to = new { blob } }));
}
