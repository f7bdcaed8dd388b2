using Thaw.Inference.Jobs;

namespace Thaw.Inference.Tests.Jobs;

/// <summary>
/// Passes a batch output through, counts commits, and holds each run that has just written the last chunk of a range
/// ending at one of <paramref name="gatedEnds"/> until every such run got there: so shards finish at the same moment.
/// </summary>
internal sealed class GatedOutput(IBatchOutput inner, params int[] gatedEnds) : IBatchOutput
{
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;
    private int _commits;

    public int Commits => Volatile.Read(ref _commits);

    public Task<IReadOnlyList<BatchProgress>> ReadProgressAsync(string batchId, IReadOnlyList<LineRange> ranges, CancellationToken cancellationToken = default) =>
        inner.ReadProgressAsync(batchId, ranges, cancellationToken);

    public async Task<IBatchChunkWriter> BeginChunkAsync(string batchId, int firstLine, CancellationToken cancellationToken = default) =>
        new Writer(this, await inner.BeginChunkAsync(batchId, firstLine, cancellationToken));

    public Task<CommittedOutput> CommitAsync(string batchId, string owner, IReadOnlyList<BatchProgress> progress, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _commits);
        return inner.CommitAsync(batchId, owner, progress, cancellationToken);
    }

    public Task RenewLeaseAsync(string batchId, DateTimeOffset until, CancellationToken cancellationToken = default) => inner.RenewLeaseAsync(batchId, until, cancellationToken);

    public Task<DateTimeOffset?> ReadLeaseAsync(string batchId, CancellationToken cancellationToken = default) => inner.ReadLeaseAsync(batchId, cancellationToken);

    private async Task ArriveAsync(BatchChunk chunk)
    {
        if (gatedEnds.Contains(chunk.EndLine))
        {
            if (Interlocked.Increment(ref _arrived) == gatedEnds.Length)
            {
                _all.SetResult();
            }

            await _all.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private sealed class Writer(GatedOutput gate, IBatchChunkWriter inner) : IBatchChunkWriter
    {
        public Task WriteOutputAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken = default) => inner.WriteOutputAsync(lines, cancellationToken);

        public Task WriteErrorsAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken = default) => inner.WriteErrorsAsync(lines, cancellationToken);

        public async Task CompleteAsync(BatchChunk chunk, CancellationToken cancellationToken = default)
        {
            await inner.CompleteAsync(chunk, cancellationToken);
            await gate.ArriveAsync(chunk);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
