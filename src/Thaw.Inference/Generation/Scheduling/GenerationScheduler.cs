using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Thaw.Inference.Batching;
using Thaw.Inference.Generation.Decoding;

namespace Thaw.Inference.Generation.Scheduling;

/// <summary>
/// Generates for many requests at once on one decoder: each request holds a KV-cache slot, and every step runs
/// one batched decoder call over all of them (continuous batching). A request waits in its profile's bounded
/// queue until a slot is free, reserving its prompt plus <c>max_tokens</c> so that it is never preempted; prompts
/// are fed in chunks within a per-step token budget so that a newcomer does not stall the running streams.
/// </summary>
/// <remarks>
/// One loop owns the slot table and the session. It is event-driven like the micro-batcher: a submit, a
/// consumer's stop or cancellation wakes it, it runs steps on the thread pool while any request holds or waits for
/// a slot, and it parks no thread when idle. Each step retires finished and abandoned requests (resetting their
/// slots), admits waiting ones, runs the decoder once, then samples, checks EOS and <c>max_tokens</c>, and delivers
/// each request's token to its stream.
/// </remarks>
public sealed partial class GenerationScheduler : IAsyncDisposable
{
    private readonly string _name;
    private readonly IDecoderSession _session;
    private readonly GenerationSchedulerOptions _options;
    private readonly TimeProvider _time;
    private readonly GenerationMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly LinkedList<Sequence> _interactiveQueue = new();
    private readonly LinkedList<Sequence> _bulkQueue = new();
    private readonly Sequence?[] _slots;
    private readonly int[] _running = new int[2];
    private readonly float[] _logits;
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _stepping;
    private bool _closed;
    private bool _aborted;
    private long _order;
    private long _steps, _promptTokens, _generatedTokens, _rejected;

    /// <param name="name">For messages and metrics, e.g. the model id.</param>
    /// <param name="session">The decoder and its KV cache; the scheduler is its only caller and does not dispose it.</param>
    /// <param name="options">Mode and profiles, checked against the session's slots.</param>
    /// <param name="timeProvider">The clock for latency measurements.</param>
    /// <param name="metrics">Where to record latencies, tokens, slots and queues; null records nothing.</param>
    /// <param name="logger">Where backend and sampler failures are logged.</param>
    /// <exception cref="ArgumentException">A setting is out of range for this session.</exception>
    public GenerationScheduler(
        string name,
        IDecoderSession session,
        GenerationSchedulerOptions options,
        TimeProvider timeProvider,
        GenerationMetrics? metrics = null,
        ILogger? logger = null)
    {
        options.Validate(name, session.Slots);
        _name = name;
        _session = session;
        _options = options;
        _time = timeProvider;
        _metrics = metrics;
        _logger = logger ?? NullLogger.Instance;
        _slots = new Sequence?[session.Slots];
        _logits = new float[(long)session.Slots * session.VocabSize];
    }

    public SchedulerStatistics Statistics
    {
        get
        {
            lock (_gate)
            {
                return new SchedulerStatistics(
                    Interlocked.Read(ref _steps), Interlocked.Read(ref _promptTokens), Interlocked.Read(ref _generatedTokens),
                    Interlocked.Read(ref _rejected), _running[0] + _running[1], _interactiveQueue.Count + _bulkQueue.Count);
            }
        }
    }

    /// <summary>
    /// Most sequences <paramref name="profile"/> can hold at once, running and waiting, on an otherwise idle model: a
    /// request of more choices could never be accepted, however long it waited.
    /// </summary>
    public int Capacity(BatchProfileKind profile)
    {
        SchedulingProfile settings = Settings(profile);
        return Math.Min(_slots.Length, settings.MaxSlots ?? _slots.Length) + settings.MaxQueuedRequests;
    }

    /// <summary>Queues a request; its tokens arrive on the returned stream from the step that admits it.</summary>
    /// <param name="request">The prompt, limits and sampler.</param>
    /// <param name="profile">The profile whose queue and slot share it takes.</param>
    /// <param name="cancellationToken">The client's: when it fires, the request ends as cancelled and frees its slot at the next step.</param>
    /// <exception cref="ContextLengthExceededException">Prompt plus <c>max_tokens</c> can never fit a slot.</exception>
    /// <exception cref="OverloadedException">The profile's queue is full; nothing was queued.</exception>
    /// <exception cref="BatcherClosedException">The scheduler is shutting down.</exception>
    public GenerationStream Submit(GenerationRequest request, BatchProfileKind profile = BatchProfileKind.Interactive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Check(request);
        cancellationToken.ThrowIfCancellationRequested();
        SchedulingProfile settings = Settings(profile);
        var sequence = new Sequence(request, profile, _time.GetTimestamp(), Interlocked.Increment(ref _order), OnConsumerEnded);
        sequence.Stream.Watch(cancellationToken);
        try
        {
            lock (_gate)
            {
                if (_closed)
                {
                    throw new BatcherClosedException(_name);
                }

                LinkedList<Sequence> queue = Queue(profile);
                if (queue.Count >= AdmissibleNowLocked(profile) + settings.MaxQueuedRequests)
                {
                    Interlocked.Increment(ref _rejected);
                    _metrics?.Rejected(_name, ProfileTag(profile));
                    throw new OverloadedException(_name, queue.Count, settings.MaxQueuedRequests, settings.OverloadRetryAfter);
                }

                // Cancelled between the check above and Watch: its stream has ended, so it never queues.
                if (!sequence.Stream.IsCompleted)
                {
                    sequence.Node = queue.AddLast(sequence);
                    _metrics?.Queued(_name, ProfileTag(profile), 1);
                }
            }
        }
        catch
        {
            sequence.Stream.Unwatch();
            throw;
        }

        Pump();
        return sequence.Stream;
    }

    /// <summary>Stops taking work and waits until every waiting and running request has ended.</summary>
    /// <param name="cancellationToken">When it fires, the requests still waiting or running fail with <see cref="BatcherClosedException"/>.</param>
    public async Task DrainAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _closed = true;
        }

        Pump();
        try
        {
            await _drained.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Abort(new BatcherClosedException(_name));
            await _drained.Task.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Fails every waiting and running request with <see cref="BatcherClosedException"/> and returns once the loop
    /// has stopped calling the session, so that its owner can dispose it. Call <see cref="DrainAsync"/> first to let
    /// them finish: a generation can run for many seconds, so disposing does not wait for it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Abort(new BatcherClosedException(_name));
        Pump();
        await _drained.Task.ConfigureAwait(false);
        _abort.Dispose();
    }

    private void Check(GenerationRequest request)
    {
        int prompt = request.PromptTokens.Length;
        if (prompt == 0)
        {
            throw new ArgumentException("The prompt has no tokens; a decoder needs at least one.", nameof(request));
        }

        if (request.MaxTokens < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.MaxTokens, "MaxTokens must be at least 1.");
        }

        foreach (int id in request.PromptTokens.Span)
        {
            if ((uint)id >= (uint)_session.VocabSize)
            {
                throw new ArgumentOutOfRangeException(nameof(request), id, $"A prompt token is outside the vocabulary of '{_name}' (0 to {_session.VocabSize - 1}).");
            }
        }

        if ((long)prompt + request.MaxTokens > _session.ContextLength)
        {
            throw new ContextLengthExceededException(_name, prompt, request.MaxTokens, _session.ContextLength);
        }
    }

    private void OnConsumerEnded(Sequence sequence)
    {
        lock (_gate)
        {
            sequence.Abandoned = true;
            if (sequence.Node?.List is { } queue)
            {
                queue.Remove(sequence.Node);
                sequence.Node = null;
                _metrics?.Queued(_name, ProfileTag(sequence.Profile), -1);
            }
        }

        Pump();
    }

    /// <summary>Starts the loop on the thread pool unless it runs already or there is nothing to do.</summary>
    private void Pump()
    {
        lock (_gate)
        {
            if (_stepping)
            {
                return;
            }

            if (!HasWorkLocked())
            {
                SignalDrainedLocked();
                return;
            }

            _stepping = true;
        }

        // The loop serves every request, not the one that happened to wake it: start it without the caller's context.
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(RunSteps);
        }
    }

    private void Abort(Exception reason)
    {
        var failed = new List<Sequence>();
        lock (_gate)
        {
            _closed = true;
            if (_aborted)
            {
                return;
            }

            _aborted = true;
            foreach (LinkedList<Sequence> queue in new[] { _interactiveQueue, _bulkQueue })
            {
                foreach (Sequence waiting in queue)
                {
                    waiting.Node = null;
                    _metrics?.Queued(_name, ProfileTag(waiting.Profile), -1);
                    failed.Add(waiting);
                }

                queue.Clear();
            }

            foreach (Sequence? running in _slots)
            {
                if (running is not null)
                {
                    running.Abandoned = true;
                    failed.Add(running);
                }
            }
        }

        foreach (Sequence sequence in failed)
        {
            sequence.Stream.Fail(reason);
        }

        _abort.Cancel();
    }

    private bool HasWorkLocked() => _interactiveQueue.Count + _bulkQueue.Count > 0 || Array.Exists(_slots, s => s is not null);

    private void SignalDrainedLocked()
    {
        if (_closed && !_stepping && !HasWorkLocked())
        {
            _drained.TrySetResult();
        }
    }

    private SchedulingProfile Settings(BatchProfileKind profile) =>
        profile == BatchProfileKind.Bulk ? _options.Bulk : _options.Interactive;

    private LinkedList<Sequence> Queue(BatchProfileKind profile) =>
        profile == BatchProfileKind.Bulk ? _bulkQueue : _interactiveQueue;

    private static string ProfileTag(BatchProfileKind profile) => profile == BatchProfileKind.Bulk ? "bulk" : "interactive";
}
