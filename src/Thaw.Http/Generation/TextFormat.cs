using System.Text.Json;
using Thaw.Http.Contracts;
using Thaw.Inference.Generation.Completions;
using Thaw.Inference.Generation.Sampling;
using Thaw.Inference.Generation.Scheduling;
using Thaw.Inference.Generation.Tokenizers;

namespace Thaw.Http.Generation;

/// <summary><c>/v1/completions</c>: <c>text_completion</c> objects, whole or one per delta.</summary>
internal sealed class TextFormat(CompletionIdentity identity, ITextTokenizer tokenizer, bool logprobs, int choices) : ICompletionFormat
{
    // Where each choice's next token starts in its text, across the chunks of a stream.
    private readonly int[] _offsets = new int[choices];

    public byte[] Whole(CompletedText completed) => JsonSerializer.SerializeToUtf8Bytes(
        Response([.. completed.Choices.Select(c => Choice(c.Index, c.Text, c.Tokens, c.FinishReason))], CompletionUsage.From(completed.Usage)),
        ThawJson.Context.CompletionResponse);

    public Task WriteStartAsync(EventStream events, int choices, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task WriteDeltaAsync(EventStream events, CompletionDelta delta, CancellationToken cancellationToken) =>
        events.WriteAsync(Response([Choice(delta.Choice, delta.Text, delta.Tokens, delta.FinishReason)]), ThawJson.Context.CompletionResponse, cancellationToken);

    public Task WriteUsageAsync(EventStream events, GenerationUsage usage, CancellationToken cancellationToken) =>
        events.WriteAsync(Response([], CompletionUsage.From(usage)), ThawJson.Context.CompletionResponse, cancellationToken);

    private CompletionResponse Response(IReadOnlyList<CompletionChoice> choices, CompletionUsage? usage = null) => new()
    {
        Id = identity.Id,
        Created = identity.Created,
        Model = identity.Model,
        Choices = choices,
        Usage = usage,
    };

    private CompletionChoice Choice(int index, string text, IReadOnlyList<SampledToken> tokens, FinishReason? finish) => new()
    {
        Text = text,
        Index = index,
        Logprobs = logprobs ? Logprobs(index, tokens) : null,
        FinishReason = TokenText.Name(finish),
    };

    private CompletionLogprobs Logprobs(int choice, IReadOnlyList<SampledToken> tokens)
    {
        var texts = new string[tokens.Count];
        var offsets = new int[tokens.Count];
        for (int i = 0; i < tokens.Count; i++)
        {
            texts[i] = TokenText.Of(tokenizer, tokens[i].Id).Text;
            offsets[i] = _offsets[choice];
            _offsets[choice] += texts[i].Length;
        }

        return new CompletionLogprobs
        {
            Tokens = texts,
            TokenLogprobs = [.. tokens.Select(t => t.Logprob)],
            TopLogprobs = [.. tokens.Select(IReadOnlyDictionary<string, float> (t) => Alternatives(t))],
            TextOffset = offsets,
        };
    }

    private Dictionary<string, float> Alternatives(SampledToken token)
    {
        // Two ids can share a text (a byte-level token and a special one): the more likely, listed first, wins.
        var alternatives = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (TokenLogprob top in token.TopLogprobs)
        {
            alternatives.TryAdd(TokenText.Of(tokenizer, top.Id).Text, top.Logprob);
        }

        return alternatives;
    }
}
