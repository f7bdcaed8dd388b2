using System.Threading.Channels;

namespace Thaw.Inference.Jobs.Local;

/// <summary>
/// The embedded job queue: bounded (queued plus leased messages), with the semantics of a Storage queue — a
/// received message is leased for a visibility timeout and comes back when its lease lapses (a worker that died),
/// when abandoned (after a delay), or never once completed or dead-lettered. Leases run on the injected clock.
/// Messages live in this process only: a restart forgets them (the batch records on disk remain).
/// </summary>
internal sealed class InProcessJobQueue(int capacity, TimeProvider time) : IJobQueue
{
    private readonly Channel<Entry> _ready = Channel.CreateUnbounded<Entry>();
    private readonly Lock _gate = new();
    private readonly List<(JobMessage Message, string Reason)> _deadLetters = [];
    private int _outstanding;

    /// <summary>Messages live in this process only.</summary>
    public bool IsDurable => false;

    private TimeProvider Time => time;

    /// <summary>Messages given up on, with their reasons (the in-process poison queue).</summary>
    public IReadOnlyList<(JobMessage Message, string Reason)> DeadLetters
    {
        get
        {
            lock (_gate)
            {
                return [.. _deadLetters];
            }
        }
    }

    /// <summary>Messages ready to be received now (not leased, not waiting out a retry delay).</summary>
    internal int Ready => _ready.Reader.Count;

    public Task EnqueueAsync(JobMessage message, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Increment(ref _outstanding) > capacity)
        {
            Interlocked.Decrement(ref _outstanding);
            throw new JobQueueFullException(capacity);
        }

        _ready.Writer.TryWrite(new Entry(message, message.ToBytes()));
        return Task.CompletedTask;
    }

    public async Task<IJobDelivery> ReceiveAsync(TimeSpan visibility, CancellationToken cancellationToken = default)
    {
        Entry entry = await _ready.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var delivery = new Delivery(this, entry, ++entry.DequeueCount);
        delivery.Lease(visibility);
        return delivery;
    }

    private void Release() => Interlocked.Decrement(ref _outstanding);

    private sealed class Entry(JobMessage message, byte[] body)
    {
        public JobMessage Message => message;

        public byte[] Body => body;

        public int DequeueCount { get; set; }
    }

    private sealed class Delivery(InProcessJobQueue queue, Entry entry, int dequeueCount) : IJobDelivery
    {
        private readonly Lock _gate = new();
        private ITimer? _lease;
        private bool _settled;

        public ReadOnlyMemory<byte> Body => entry.Body;

        public int DequeueCount => dequeueCount;

        public Task RenewAsync(TimeSpan visibility, CancellationToken cancellationToken = default)
        {
            lock (_gate)
            {
                if (_settled)
                {
                    throw new InvalidOperationException("The message's lease has lapsed or the message was settled; it can no longer be renewed.");
                }

                _lease!.Change(visibility, Timeout.InfiniteTimeSpan);
            }

            return Task.CompletedTask;
        }

        public Task CompleteAsync(CancellationToken cancellationToken = default)
        {
            if (Settle())
            {
                queue.Release();
            }

            return Task.CompletedTask;
        }

        public Task AbandonAsync(TimeSpan delay, CancellationToken cancellationToken = default)
        {
            if (Settle())
            {
                Redeliver(delay);
            }

            return Task.CompletedTask;
        }

        public Task DeadLetterAsync(string reason, CancellationToken cancellationToken = default)
        {
            if (Settle())
            {
                lock (queue._gate)
                {
                    queue._deadLetters.Add((entry.Message, reason));
                }

                queue.Release();
            }

            return Task.CompletedTask;
        }

        public void Lease(TimeSpan visibility)
        {
            lock (_gate)
            {
                _lease = queue.Time.CreateTimer(_ => Lapse(), null, visibility, Timeout.InfiniteTimeSpan);
            }
        }

        // The lease ran out before the worker settled the message (it died or hung): another receiver gets it.
        private void Lapse()
        {
            if (Settle())
            {
                queue._ready.Writer.TryWrite(entry);
            }
        }

        private void Redeliver(TimeSpan delay)
        {
            if (delay <= TimeSpan.Zero)
            {
                queue._ready.Writer.TryWrite(entry);
                return;
            }

            ITimer? timer = null;
            timer = queue.Time.CreateTimer(_ =>
            {
                queue._ready.Writer.TryWrite(entry);
                timer?.Dispose();
            }, null, delay, Timeout.InfiniteTimeSpan);
        }

        private bool Settle()
        {
            lock (_gate)
            {
                if (_settled)
                {
                    return false;
                }

                _settled = true;
                _lease?.Dispose();
                return true;
            }
        }
    }
}
