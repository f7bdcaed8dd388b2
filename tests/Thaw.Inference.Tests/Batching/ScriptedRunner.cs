using System.Threading.Channels;

namespace Thaw.Inference.Tests.Batching;

/// <summary>
/// Stands in for a model: reports each batch as it starts, holds the first batch until released (so that later
/// inputs queue behind it), fails batches holding a poisoned id, and answers id x 10.
/// </summary>
internal sealed class ScriptedRunner
{
    private readonly Channel<int[]> _started = Channel.CreateUnbounded<int[]>();
    private int _count;

    public TaskCompletionSource FirstBatchGate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public HashSet<int> Poison { get; } = [];

    public int[] Run(IReadOnlyList<Input> inputs, CancellationToken cancellationToken)
    {
        int[] ids = inputs.Select(i => i.Id).ToArray();
        _started.Writer.TryWrite(ids);
        if (Interlocked.Increment(ref _count) == 1)
        {
            FirstBatchGate.Task.Wait(cancellationToken);
        }

        if (ids.Any(Poison.Contains))
        {
            throw new InvalidOperationException("poisoned input");
        }

        return ids.Select(i => i * 10).ToArray();
    }

    /// <summary>The next batch to start (a real-time bound only guards against a hung test).</summary>
    public async Task<int[]> NextBatchAsync() => await _started.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    public bool TryNextBatch(out int[]? batch) => _started.Reader.TryRead(out batch);
}
