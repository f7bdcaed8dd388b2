namespace Thaw.Inference.Jobs;

/// <summary>
/// One received message, invisible to other receivers until its lease runs out. Exactly one of complete, abandon
/// or dead-letter ends it; a worker that dies without either lets the lease lapse and the message comes back.
/// </summary>
public interface IJobDelivery
{
    ReadOnlyMemory<byte> Body { get; }

    /// <summary>How many times the message has been received, this time included.</summary>
    int DequeueCount { get; }

    /// <summary>Keeps the message invisible for <paramref name="visibility"/> from now (long jobs renew as they work).</summary>
    Task RenewAsync(TimeSpan visibility, CancellationToken cancellationToken = default);

    /// <summary>Done: removes the message.</summary>
    Task CompleteAsync(CancellationToken cancellationToken = default);

    /// <summary>Not done: makes the message visible again after <paramref name="delay"/>.</summary>
    Task AbandonAsync(TimeSpan delay, CancellationToken cancellationToken = default);

    /// <summary>Gives up on the message: moves it to the dead-letter (poison) queue with <paramref name="reason"/>.</summary>
    Task DeadLetterAsync(string reason, CancellationToken cancellationToken = default);
}
