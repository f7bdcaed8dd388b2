using System.Text;
using System.Threading.Channels;
using Thaw.Inference.Generation.Sampling;
using Thaw.Inference.Generation.Scheduling;
using Thaw.Inference.Generation.Stopping;
using Thaw.Inference.Generation.Tokenizers;

namespace Thaw.Inference.Generation.Completions;

/// <summary>
/// One request's completion while it runs: its choices' text as it is generated, merged in the order it comes, then
/// the token counts. Read it once, streaming (<see cref="ReadAllAsync"/>) or whole (<see cref="CollectAsync"/>).
/// Dispose it when done: a completion disposed before its end (the client left) frees its slots at the next step.
/// </summary>
/// <remarks>
/// Each choice has a reader on the thread pool that turns its tokens into safe text (<see cref="CompletionText"/>)
/// and ends its generation the moment a stop sequence matches, so that the slot is freed even while nobody reads.
/// The readers write into one channel that <c>max_tokens</c> × <c>n</c> bounds, so a slow client never stalls the
/// scheduler, which must not wait for any consumer.
/// </remarks>
public sealed class TextCompletion : IDisposable
{
    private readonly IReadOnlyList<GenerationStream> _streams;
    private readonly Channel<CompletionDelta> _deltas = Channel.CreateUnbounded<CompletionDelta>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int[] _completionTokens;
    private readonly Task _readers;
    private int _read;

    internal TextCompletion(ITextTokenizer tokenizer, CompletionSettings settings, IReadOnlyList<GenerationStream> streams)
    {
        _streams = streams;
        _completionTokens = new int[streams.Count];
        PromptTokens = streams[0].PromptTokens;
        _readers = ReadChoicesAsync(tokenizer, settings);
    }

    public int PromptTokens { get; }

    /// <summary>The choices' deltas as they come; each choice's last one carries its finish reason.</summary>
    /// <exception cref="OperationCanceledException">The request was cancelled.</exception>
    /// <exception cref="InvalidOperationException">Read twice.</exception>
    /// <remarks>Throws what the backend threw if the model failed mid-way; the deltas before it were delivered.</remarks>
    public IAsyncEnumerable<CompletionDelta> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _read, 1) != 0)
        {
            throw new InvalidOperationException("Bug: a completion is read once.");
        }

        return _deltas.Reader.ReadAllAsync(cancellationToken);
    }

    /// <summary>The token counts, once every choice has ended: the prompt once, the tokens of every choice.</summary>
    public async Task<GenerationUsage> GetUsageAsync()
    {
        await _readers.ConfigureAwait(false);
        return new GenerationUsage(PromptTokens, _completionTokens.Sum());
    }

    /// <summary>Waits for every choice and returns them whole, in index order.</summary>
    public async Task<CompletedText> CollectAsync(CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder[_streams.Count];
        var tokens = new List<SampledToken>[_streams.Count];
        var reasons = new FinishReason[_streams.Count];
        for (int i = 0; i < text.Length; i++)
        {
            text[i] = new StringBuilder();
            tokens[i] = [];
        }

        await foreach (CompletionDelta delta in ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            text[delta.Choice].Append(delta.Text);
            tokens[delta.Choice].AddRange(delta.Tokens);
            if (delta.FinishReason is { } reason)
            {
                reasons[delta.Choice] = reason;
            }
        }

        var choices = new CompletedChoice[text.Length];
        for (int i = 0; i < choices.Length; i++)
        {
            choices[i] = new CompletedChoice(i, text[i].ToString(), tokens[i], reasons[i]);
        }

        return new CompletedText(choices, await GetUsageAsync().ConfigureAwait(false));
    }

    public void Dispose()
    {
        foreach (GenerationStream stream in _streams)
        {
            stream.Dispose();
        }
    }

    private async Task ReadChoicesAsync(ITextTokenizer tokenizer, CompletionSettings settings)
    {
        try
        {
            await Task.WhenAll(_streams.Select((stream, choice) => Task.Run(() => ReadChoiceAsync(choice, stream, new CompletionText(tokenizer, settings.Stop), settings.Logprobs)))).ConfigureAwait(false);
            _deltas.Writer.TryComplete();
        }
        catch (Exception e)
        {
            // The first failure ends the completion; the other choices end with the streams' disposal.
            Dispose();
            _deltas.Writer.TryComplete(e);
            throw;
        }
    }

    private async Task ReadChoiceAsync(int choice, GenerationStream stream, CompletionText text, bool logprobs)
    {
        int pushed = 0;
        var pending = new StringBuilder();
        var tokens = new List<SampledToken>();
        ChannelReader<SampledToken> reader = stream.Tokens;
        while (!text.Stopped && await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (!text.Stopped && reader.TryRead(out SampledToken token))
            {
                pushed++;
                pending.Append(text.Push(token.Id));
                if (logprobs)
                {
                    tokens.Add(token);
                }
            }

            if (text.Stopped)
            {
                // The text ends before the stop sequence; the tokens after the one that completed it are not counted.
                stream.Stop(pushed);
                break;
            }

            if (pending.Length > 0 || tokens.Count > 0)
            {
                _deltas.Writer.TryWrite(new CompletionDelta(choice, pending.ToString(), [.. tokens], FinishReason: null));
                pending.Clear();
                tokens.Clear();
            }
        }

        GenerationResult result = await stream.Completion.ConfigureAwait(false);
        pending.Append(text.Finish());

        // A stop sequence counts the tokens up to the one that completed it, however far the scheduler ran on meanwhile.
        _completionTokens[choice] = text.Stopped ? pushed : result.Usage.CompletionTokens;
        _deltas.Writer.TryWrite(new CompletionDelta(choice, pending.ToString(), [.. tokens], text.FinishReason(result.FinishReason)));
    }
}
