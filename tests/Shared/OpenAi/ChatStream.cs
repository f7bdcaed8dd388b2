using OpenAI.Chat;

namespace Thaw.Testing;

/// <summary>A streamed chat completion as the OpenAI SDK yields it: every update, and the text its deltas concatenate to.</summary>
internal sealed record ChatStream(string Text, IReadOnlyList<StreamingChatCompletionUpdate> Updates)
{
    public static async Task<ChatStream> ReadAsync(IAsyncEnumerable<StreamingChatCompletionUpdate> stream)
    {
        var text = new StringBuilder();
        var updates = new List<StreamingChatCompletionUpdate>();
        await foreach (StreamingChatCompletionUpdate update in stream)
        {
            updates.Add(update);
            foreach (ChatMessageContentPart part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        return new ChatStream(text.ToString(), updates);
    }

    /// <summary>
    /// Asserts that this stream is <paramref name="whole"/> (the same request answered without streaming) cut to its
    /// <paramref name="maxTokens"/>: its text in more than one delta, the role first, one <c>length</c> finish, the usage
    /// last, one completion id.
    /// </summary>
    public void AssertIsTheWholeAnswerAtItsLength(ChatCompletion whole, int maxTokens)
    {
        Assert.Equal(whole.Content[0].Text, Text);
        Assert.True(Updates.Count(u => u.ContentUpdate.Count > 0) > 1, "the text came in more than one delta");
        Assert.Equal(ChatMessageRole.Assistant, Updates[0].Role);
        Assert.Equal(ChatFinishReason.Length, Assert.Single(Updates, u => u.FinishReason is not null).FinishReason);
        ChatTokenUsage usage = Updates[^1].Usage;
        Assert.Equal((whole.Usage.InputTokenCount, maxTokens, whole.Usage.TotalTokenCount), (usage.InputTokenCount, usage.OutputTokenCount, usage.TotalTokenCount));
        Assert.Single(Updates.Select(u => u.CompletionId).Distinct());
    }
}
