using System.Diagnostics;
using Thaw.Inference.Telemetry;

namespace Thaw.Inference.Batching;

/// <summary>
/// Turns concurrent requests for one model into forward passes. Each input waits in one bounded queue with its
/// own completion; a batch closes at <see cref="BatchingProfile.MaxBatchSize"/> inputs, at
/// <see cref="BatchingProfile.MaxBatchTokens"/> padded tokens, or <see cref="BatchingProfile.MaxBatchDelay"/> after
/// its oldest input — and an idle model takes its first input at once, so batches form only while earlier
/// batches run. A batch is the oldest input plus the queued inputs closest to it in length (less padding).
/// </summary>
/// <remarks>
/// The batching loop is event-driven: every event (a submit, a cancellation, a finished batch, the delay timer)
/// calls <see cref="Pump"/>, which makes all queue decisions under one lock and hands batches to the thread pool.
/// One owner of the queue, no thread parked per model, and decisions a fake clock can drive deterministically.
/// </remarks>
public sealed class MicroBatcher<TInput, TOutput> : IAsyncDisposable
{
    private readonly string _name;
    private readonly BatchingProfile _profile;
    private readonly Func<TInput, int> _tokens;
    private readonly Func<IReadOnlyList<TInput>, CancellationToken, TOutput[]> _run;
    private readonly TimeProvider _time;
    private readonly BatchingMetrics? _metrics;
    private readonly Lock _gate = new();
    private readonly LinkedList<Item> _queue = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? _timer;
    private long _sequence;
    private int _running;
    private bool _closed;
    private long _batches, _inputs, _rejected, _dropped;

    /// <param name="name">For messages and metrics, e.g. the model id.</param>
    /// <param name="profile">Batch limits.</param>
    /// <param name="tokens">The length of an input in tokens (its padded cost is the batch's longest input).</param>
    /// <param name="run">Runs one batch; returns one output per input, in order. Called on the thread pool.</param>
    /// <param name="timeProvider">The clock for delays and queue-wait measurements.</param>
    /// <param name="metrics">Where to record batch sizes, waits and rejections; null records nothing.</param>
    public MicroBatcher(
        string name,
        BatchingProfile profile,
        Func<TInput, int> tokens,
        Func<IReadOnlyList<TInput>, CancellationToken, TOutput[]> run,
        TimeProvider timeProvider,
        BatchingMetrics? metrics = null)
    {
        _name = name;
        _profile = profile;
        _tokens = tokens;
        _run = run;
        _time = timeProvider;
        _metrics = metrics;
    }

    /// <summary>Inputs waiting for a batch (not those running).</summary>
    public int QueuedInputs
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    public BatchStatistics Statistics =>
        new(Interlocked.Read(ref _batches), Interlocked.Read(ref _inputs), Interlocked.Read(ref _rejected), Interlocked.Read(ref _dropped), QueuedInputs);

    /// <summary>Queues the inputs and returns their outputs, in order, once their batches have run.</summary>
    /// <exception cref="TooManyInputsException">There are more inputs than the queue holds when empty.</exception>
    /// <exception cref="OverloadedException">The queue cannot take them all now; none was queued.</exception>
    /// <exception cref="BatcherClosedException">The batcher is draining for shutdown.</exception>
    /// <exception cref="OperationCanceledException">The request was cancelled; its inputs that had not run were dropped.</exception>
    public async Task<TOutput[]> SubmitAsync(IReadOnlyList<TInput> inputs, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (inputs.Count == 0)
        {
            return [];
        }

        if (inputs.Count > _profile.MaxQueuedInputs)
        {
            Interlocked.Add(ref _rejected, inputs.Count);
            _metrics?.Rejected(_name, inputs.Count);
            throw new TooManyInputsException(_name, inputs.Count, _profile.MaxQueuedInputs);
        }

        var items = new Item[inputs.Count];
        lock (_gate)
        {
            if (_closed)
            {
                throw new BatcherClosedException(_name);
            }

            if (_queue.Count + inputs.Count > _profile.MaxQueuedInputs)
            {
                Interlocked.Add(ref _rejected, inputs.Count);
                _metrics?.Rejected(_name, inputs.Count);
                throw new OverloadedException(_name, _queue.Count, _profile.MaxQueuedInputs, _profile.OverloadRetryAfter);
            }

            long now = _time.GetTimestamp();
            for (int i = 0; i < items.Length; i++)
            {
                items[i] = new Item(inputs[i], _tokens(inputs[i]), now, _sequence++, Activity.Current?.Context ?? default);
                items[i].Node = _queue.AddLast(items[i]);
            }
        }

        using CancellationTokenRegistration registration = cancellationToken.Register(() => Drop(items, cancellationToken));
        Pump();
        return await Task.WhenAll(items.Select(i => i.Completion.Task)).ConfigureAwait(false);
    }

    /// <summary>Stops taking work and waits until every queued and running input has its result.</summary>
    /// <param name="cancellationToken">When it fires, running batches are cancelled and queued inputs fail.</param>
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
            await _abort.CancelAsync().ConfigureAwait(false);
            Item[] abandoned;
            lock (_gate)
            {
                abandoned = [.. _queue];
                _queue.Clear();
            }

            foreach (Item item in abandoned)
            {
                item.Completion.TrySetException(new BatcherClosedException(_name));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DrainAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }

        _abort.Dispose();
    }

    private void Drop(Item[] items, CancellationToken cancellationToken)
    {
        int dropped = 0;
        lock (_gate)
        {
            foreach (Item item in items)
            {
                if (item.Node?.List is not null)
                {
                    _queue.Remove(item.Node);
                    dropped++;
                }
            }
        }

        foreach (Item item in items)
        {
            item.Completion.TrySetCanceled(cancellationToken);
        }

        Interlocked.Add(ref _dropped, dropped);
        Pump();
    }

    private void Pump()
    {
        List<Item[]>? ready = null;
        lock (_gate)
        {
            while (_running < _profile.MaxConcurrentBatches && _queue.Count > 0)
            {
                List<LinkedListNode<Item>> chosen = Select(out bool closedByLimit);
                TimeSpan waited = _time.GetElapsedTime(_queue.First!.Value.EnqueuedAt);
                if (!((_running == 0 && _profile.DispatchWhenIdle) || closedByLimit || waited >= _profile.MaxBatchDelay || _closed))
                {
                    // Busy (or filling by choice), not full, not due: let the batch fill until its oldest input has waited long enough.
                    _timer ??= _time.CreateTimer(static state => ((MicroBatcher<TInput, TOutput>)state!).Pump(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    _timer.Change(_profile.MaxBatchDelay - waited, Timeout.InfiniteTimeSpan);
                    break;
                }

                var batch = new Item[chosen.Count];
                for (int i = 0; i < batch.Length; i++)
                {
                    batch[i] = chosen[i].Value;
                    _queue.Remove(chosen[i]);
                    _metrics?.QueueWait(_name, _time.GetElapsedTime(batch[i].EnqueuedAt));
                }

                _running++;
                (ready ??= []).Add(batch);
            }

            if (_closed && _queue.Count == 0 && _running == 0)
            {
                _drained.TrySetResult();
            }
        }

        foreach (Item[] batch in ready ?? [])
        {
            // A batch belongs to no single request: start it without the caller's context (its trace span
            // links to every request it serves instead of nesting under the one that happened to pump).
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(() => Execute(batch));
            }
        }
    }

    /// <summary>The oldest input, then the others closest to it in length, within the size and token limits.</summary>
    private List<LinkedListNode<Item>> Select(out bool closedByLimit)
    {
        LinkedListNode<Item> oldest = _queue.First!;
        var chosen = new List<LinkedListNode<Item>> { oldest };
        int longest = oldest.Value.Tokens;
        closedByLimit = false;
        if (_queue.Count == 1)
        {
            closedByLimit = _profile.MaxBatchSize == 1;
            return chosen;
        }

        var candidates = new List<LinkedListNode<Item>>(_queue.Count - 1);
        for (LinkedListNode<Item>? node = oldest.Next; node is not null; node = node.Next)
        {
            candidates.Add(node);
        }

        candidates.Sort((a, b) =>
        {
            int byLength = Math.Abs(a.Value.Tokens - oldest.Value.Tokens).CompareTo(Math.Abs(b.Value.Tokens - oldest.Value.Tokens));
            return byLength != 0 ? byLength : a.Value.Sequence.CompareTo(b.Value.Sequence);
        });
        foreach (LinkedListNode<Item> candidate in candidates)
        {
            if (chosen.Count == _profile.MaxBatchSize)
            {
                closedByLimit = true;
                break;
            }

            int newLongest = Math.Max(longest, candidate.Value.Tokens);
            if ((long)(chosen.Count + 1) * newLongest > _profile.MaxBatchTokens)
            {
                closedByLimit = true;
                continue;
            }

            chosen.Add(candidate);
            longest = newLongest;
        }

        closedByLimit |= chosen.Count == _profile.MaxBatchSize;
        return chosen;
    }

    private void Execute(Item[] batch)
    {
        try
        {
            RunIsolating(batch);
        }
        finally
        {
            lock (_gate)
            {
                _running--;
            }

            Pump();
        }
    }

    /// <summary>Runs a batch; when it fails and holds several inputs, halves it so that only the bad input fails.</summary>
    private void RunIsolating(ReadOnlySpan<Item> batch)
    {
        Item[] live = batch.ToArray().Where(i => !i.Completion.Task.IsCompleted).ToArray();
        if (live.Length == 0)
        {
            return;
        }

        TOutput[] outputs;
        long started = _time.GetTimestamp();
        using Activity? activity = ThawTelemetry.ActivitySource.StartActivity(
            "thaw.batch",
            ActivityKind.Internal,
            parentContext: default,
            tags: [new("thaw.model", _name), new("thaw.batch.size", live.Length)],
            links: live.Where(i => i.Parent != default).Select(i => new ActivityLink(i.Parent)));
        try
        {
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _inputs, live.Length);
            outputs = _run(live.Select(i => i.Input).ToArray(), _abort.Token);
            _metrics?.Batch(_name, live.Length, live.Sum(i => i.Tokens), _time.GetElapsedTime(started));
            if (outputs.Length != live.Length)
            {
                throw new InvalidOperationException($"Bug: a batch of {live.Length} inputs of '{_name}' returned {outputs.Length} outputs.");
            }
        }
        catch (OperationCanceledException e)
        {
            foreach (Item item in live)
            {
                item.Completion.TrySetCanceled(e.CancellationToken);
            }

            return;
        }
        catch (Exception) when (live.Length > 1)
        {
            int half = live.Length / 2;
            RunIsolating(live.AsSpan(0, half));
            RunIsolating(live.AsSpan(half));
            return;
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            live[0].Completion.TrySetException(e);
            return;
        }

        for (int i = 0; i < live.Length; i++)
        {
            live[i].Completion.TrySetResult(outputs[i]);
        }
    }

    private sealed class Item(TInput input, int tokens, long enqueuedAt, long sequence, ActivityContext parent)
    {
        /// <summary>The submitting request's trace context, linked from the batch span.</summary>
        public ActivityContext Parent { get; } = parent;

        public TInput Input { get; } = input;

        public int Tokens { get; } = tokens;

        public long EnqueuedAt { get; } = enqueuedAt;

        public long Sequence { get; } = sequence;

        public LinkedListNode<Item>? Node { get; set; }

        public TaskCompletionSource<TOutput> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
