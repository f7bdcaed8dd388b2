using System.Text.Json;
using Thaw.Http.Contracts;
using Thaw.Inference.Generation.Completions;
using Thaw.Inference.Generation.Sampling;
using Thaw.Inference.Generation.Scheduling;
using Thaw.Inference.Generation.Tokenizers;

namespace Thaw.Http.Generation;

/// <summary><c>/v1/chat/completions</c>: <c>chat.completion</c>, or <c>chat.completion.chunk</c>s whose first carries the role.</summary>
internal sealed class ChatFormat(CompletionIdentity identity, ITextTokenizer tokenizer, bool logprobs) : ICompletionFormat
{
    public byte[] Whole(CompletedText completed) => JsonSerializer.SerializeToUtf8Bytes(new ChatCompletionResponse
    {
        Id = identity.Id,
        Object = "chat.completion",
        Created = identity.Created,
        Model = identity.Model,
        Choices = [.. completed.Choices.Select(c => new ChatChoice
        {
            Index = c.Index,
            Message = new ChatMessageBody { Role = "assistant", Content = c.Text },
            Logprobs = Logprobs(c.Tokens),
            FinishReason = TokenText.Name(c.FinishReason),
        })],
        Usage = CompletionUsage.From(completed.Usage),
    }, ThawJson.Context.ChatCompletionResponse);

    public async Task WriteStartAsync(EventStream events, int choices, CancellationToken cancellationToken)
    {
        for (int i = 0; i < choices; i++)
        {
            ChatChoice first = new() { Index = i, Delta = new ChatMessageBody { Role = "assistant", Content = "" }, Logprobs = null, FinishReason = null };
            await events.WriteAsync(Chunk([first]), ThawJson.Context.ChatCompletionResponse, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task WriteDeltaAsync(EventStream events, CompletionDelta delta, CancellationToken cancellationToken) =>
        events.WriteAsync(Chunk([new ChatChoice
        {
            Index = delta.Choice,
            Delta = new ChatMessageBody { Content = delta.Text.Length > 0 ? delta.Text : null },
            Logprobs = delta.Tokens.Count > 0 ? Logprobs(delta.Tokens) : null,
            FinishReason = TokenText.Name(delta.FinishReason),
        }]), ThawJson.Context.ChatCompletionResponse, cancellationToken);

    public Task WriteUsageAsync(EventStream events, GenerationUsage usage, CancellationToken cancellationToken) =>
        events.WriteAsync(Chunk([], CompletionUsage.From(usage)), ThawJson.Context.ChatCompletionResponse, cancellationToken);

    private ChatCompletionResponse Chunk(IReadOnlyList<ChatChoice> choices, CompletionUsage? usage = null) => new()
    {
        Id = identity.Id,
        Object = "chat.completion.chunk",
        Created = identity.Created,
        Model = identity.Model,
        Choices = choices,
        Usage = usage,
    };

    private ChatLogprobs? Logprobs(IReadOnlyList<SampledToken> tokens) => logprobs
        ? new ChatLogprobs
        {
            Content = [.. tokens.Select(t => Entry(t.Id, t.Logprob, [.. t.TopLogprobs.Select(top => Entry(top.Id, top.Logprob, null))]))],
        }
        : null;

    private ChatTokenLogprob Entry(int id, float logprob, IReadOnlyList<ChatTokenLogprob>? top)
    {
        TokenText text = TokenText.Of(tokenizer, id);
        return new ChatTokenLogprob { Token = text.Text, Logprob = logprob, Bytes = text.Bytes, TopLogprobs = top };
    }
}
