using System.Threading.Channels;
using Thaw.Inference.Generation.Sampling;

namespace Thaw.Inference.Generation.Scheduling;

/// <summary>
/// The consumer's side of one generation: its tokens as they are sampled, then how it ended. Dispose it when done:
/// a stream disposed (or whose request was cancelled) before it finished frees its slot at the next step.
/// </summary>
/// <remarks>
/// Tokens come through a <see cref="ChannelReader{T}"/> because the scheduler loop must never wait for a consumer (one
/// slow client would stall every request sharing the step): the loop writes into an unbounded channel, which
/// <c>max_tokens</c> bounds. An SSE writer reads with <c>ReadAllAsync</c>, or drains every token already there with
/// <c>TryRead</c> and flushes them in one write when it has fallen behind.
/// </remarks>
public sealed class GenerationStream : IDisposable
{
    private readonly Channel<SampledToken> _tokens = Channel.CreateUnbounded<SampledToken>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly TaskCompletionSource<GenerationResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action _consumerEnded;
    private CancellationTokenRegistration _registration;
    private int _delivered;
    private int _ended;

    internal GenerationStream(int promptTokens, Action consumerEnded)
    {
        PromptTokens = promptTokens;
        _consumerEnded = consumerEnded;
    }

    public int PromptTokens { get; }

    /// <summary>
    /// The sampled tokens, in order. End-of-sequence tokens are not delivered. Completes when the generation ends;
    /// reading then throws what <see cref="Completion"/> throws (the backend's exception, or cancellation).
    /// </summary>
    public ChannelReader<SampledToken> Tokens => _tokens.Reader;

    /// <summary>The finish reason and usage; faults with the backend's exception, or is cancelled with the request.</summary>
    public Task<GenerationResult> Completion => _completion.Task;

    /// <summary>Whether the generation has ended, however it ended.</summary>
    public bool IsCompleted => Volatile.Read(ref _ended) != 0;

    /// <summary>
    /// Ends the generation with <see cref="FinishReason.Stop"/> because the consumer matched a stop sequence in the
    /// text of its first <paramref name="completionTokens"/> tokens; usage counts that many. No more tokens are
    /// written, and the slot is freed at the next step. Does nothing if the generation has already ended.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">More tokens than have been delivered.</exception>
    public void Stop(int completionTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(completionTokens);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(completionTokens, Volatile.Read(ref _delivered));
        if (TryEnd())
        {
            _tokens.Writer.TryComplete();
            _completion.TrySetResult(new GenerationResult(FinishReason.Stop, new GenerationUsage(PromptTokens, completionTokens)));
            _consumerEnded();
        }
    }

    /// <summary>Frees the slot of a generation that has not ended (the client left): it ends as cancelled.</summary>
    public void Dispose()
    {
        _registration.Dispose();
        CancelByConsumer(new OperationCanceledException("The consumer disposed the generation stream before it ended."), CancellationToken.None);
    }

    internal void Watch(CancellationToken cancellationToken) =>
        _registration = cancellationToken.Register(static state =>
        {
            var (stream, token) = ((GenerationStream, CancellationToken))state!;
            stream.CancelByConsumer(new OperationCanceledException(token), token);
        }, (this, cancellationToken));

    /// <summary>Drops the cancellation callback of a request that was refused after <see cref="Watch"/>.</summary>
    internal void Unwatch() => _registration.Dispose();

    /// <summary>Delivers a token; false once the generation has ended (the consumer stopped or left).</summary>
    internal bool TryDeliver(SampledToken token)
    {
        if (IsCompleted || !_tokens.Writer.TryWrite(token))
        {
            return false;
        }

        Interlocked.Increment(ref _delivered);
        return true;
    }

    internal void Finish(FinishReason reason, int completionTokens)
    {
        if (TryEnd())
        {
            _registration.Unregister();
            _tokens.Writer.TryComplete();
            _completion.TrySetResult(new GenerationResult(reason, new GenerationUsage(PromptTokens, completionTokens)));
        }
    }

    internal void Fail(Exception exception)
    {
        if (TryEnd())
        {
            // Unregister, not Dispose: this may run under the scheduler's lock, which a running callback waits for.
            _registration.Unregister();
            _tokens.Writer.TryComplete(exception);
            _completion.TrySetException(exception);
        }
    }

    private void CancelByConsumer(OperationCanceledException exception, CancellationToken cancellationToken)
    {
        if (TryEnd())
        {
            _tokens.Writer.TryComplete(exception);
            _completion.TrySetCanceled(cancellationToken);
            _consumerEnded();
        }
    }

    private bool TryEnd() => Interlocked.Exchange(ref _ended, 1) == 0;
}
