using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Inference.Batching;
using Thaw.Inference.Models;

namespace Thaw.Inference.Jobs;

/// <summary>
/// Runs one batch, or one shard of it, whatever transport delivered it: streams the input file, sends its lines to the
/// endpoint handler many at a time (so the model's bulk batcher fills its batches, or a decoder's lines share its
/// scheduler's decode steps) and streams their results, in input
/// order, into chunks. A chunk ends after <see cref="JobsOptions.ChunkLines"/> lines or <see cref="JobsOptions.ChunkBytes"/>
/// of output, and at its shard's end; its marker records the lines it covers and its identity is its first line, so
/// progress is durable, a rerun resumes after the chain of chunks written from its first line whatever bounds it runs
/// with, and a redone chunk replaces itself (result ids derive from the batch id and line index). Memory holds at most
/// <see cref="JobsOptions.MaxLinesInFlight"/> answers. A batch of more than <see cref="JobsOptions.ShardLines"/> lines is
/// split on its first delivery into shard messages (<see cref="BatchShards"/>), run by any instances; the worker that
/// finds every shard written wins the move to <c>finalizing</c> and assembles. Cancel and expiry are noticed at start,
/// between chunks and by a watch that reads the record every <see cref="JobsOptions.StopPollInterval"/> (so a running
/// shard drops its lines not yet run), and by <see cref="BatchSweeper"/> when nothing runs the batch.
/// </summary>
public sealed partial class BatchJobRunner(
    IBatchStore batches,
    IFileStore files,
    IBatchOutput output,
    IJobQueue queue,
    IEnumerable<IBatchRequestHandler> handlers,
    IOptions<JobsOptions> options,
    TimeProvider time,
    ILogger<BatchJobRunner> logger)
{
    private readonly JobsOptions _options = options.Value;

    /// <summary>Runs the whole batch (or splits it into shards); returns the batch as it then stands.</summary>
    /// <exception cref="BatchFailedException">The batch cannot succeed (the caller marks it failed).</exception>
    /// <exception cref="OperationCanceledException">Stopped: what was written stays, a rerun resumes from it.</exception>
    public Task<BatchRecord> RunAsync(string batchId, CancellationToken cancellationToken = default) =>
        RunAsync(JobMessage.ForBatch(batchId), cancellationToken);

    /// <summary>
    /// Runs what the job message names: a whole batch (split first when it has more than one shard of lines; a batch
    /// already split has its shard messages queued again), or one shard. Returns the batch as it then stands:
    /// terminal when this run ended it, in progress when other shards remain.
    /// </summary>
    /// <exception cref="BatchFailedException">The batch cannot succeed (the caller marks it failed).</exception>
    /// <exception cref="OperationCanceledException">Stopped: what was written stays, a rerun resumes from it.</exception>
    public async Task<BatchRecord> RunAsync(JobMessage job, CancellationToken cancellationToken = default)
    {
        string batchId = job.BatchId;
        BatchRecord batch = (await batches.GetAsync(batchId, cancellationToken).ConfigureAwait(false))?.Batch
            ?? throw new BatchFailedException(BatchFailedException.NotFound, $"No batch '{batchId}'.");
        if (batch.IsTerminal)
        {
            return batch;
        }

        IBatchRequestHandler handler = handlers.FirstOrDefault(h => h.Endpoint == batch.Endpoint)
            ?? throw new BatchFailedException("unsupported_endpoint", $"No handler serves the endpoint '{batch.Endpoint}'.");
        if (StopStatus(batch) is { } stopped)
        {
            // A queued shard of a cancelled or expired batch does no work: the first to see it ends the batch.
            return await EndAsync(batchId, stopped, cancellationToken).ConfigureAwait(false);
        }

        if (job.Shard is { } shard)
        {
            BatchShards plan = batch.Shards is { } pinned && shard < pinned.Count
                ? pinned
                : throw new BatchFailedException(BatchFailedException.NotFound, $"The batch '{batchId}' has no shard {shard}.");
            return await RunLinesAsync(batch, handler, shard, plan.Range(shard), cancellationToken).ConfigureAwait(false);
        }

        if (batch.Shards is { } split)
        {
            // The split's message again (it died between enqueues, or the in-process queue restarted): queue every shard
            // again; a shard already run finds its lines written and does nothing.
            await EnqueueShardsAsync(batchId, split, cancellationToken).ConfigureAwait(false);
            return batch;
        }

        int total;
        await using (Stream counting = await OpenInputAsync(batch, cancellationToken).ConfigureAwait(false))
        {
            total = await BatchInputReader.CountAsync(counting, cancellationToken).ConfigureAwait(false);
        }

        return total > _options.ShardLines
            ? await SplitAsync(batchId, total, cancellationToken).ConfigureAwait(false)
            : await RunLinesAsync(batch, handler, null, new LineRange(0, total), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records that a worker runs the batch for the next visibility timeout (the processor renews it as it renews the message).</summary>
    public Task RenewLeaseAsync(string batchId, CancellationToken cancellationToken = default) =>
        output.RenewLeaseAsync(batchId, time.GetUtcNow() + _options.VisibilityTimeout, cancellationToken);

    /// <summary>
    /// Ends a batch as <paramref name="status"/> (cancelled, expired) with what was written: the chunks stored so far,
    /// of every shard, become its output and error files. A batch already ended stays as it is.
    /// </summary>
    public async Task<BatchRecord> EndAsync(string batchId, BatchStatus status, CancellationToken cancellationToken = default)
    {
        BatchRecord batch = (await batches.GetAsync(batchId, cancellationToken).ConfigureAwait(false))?.Batch
            ?? throw new BatchFailedException(BatchFailedException.NotFound, $"No batch '{batchId}'.");
        if (batch.IsTerminal)
        {
            return batch;
        }

        IReadOnlyList<BatchProgress> progress = await output.ReadProgressAsync(batchId, batch.Ranges(), cancellationToken).ConfigureAwait(false);
        return await FinishAsync(batch, progress, status, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks the batch failed with the reason (a poison message, a batch that cannot succeed).</summary>
    public Task<BatchRecord?> FailAsync(string batchId, string code, string message, CancellationToken cancellationToken = default)
    {
        long now = Now();
        return batches.UpdateAsync(batchId, b => b.IsTerminal ? null : b with
        {
            Status = BatchStatus.Failed,
            FailedAt = now,
            Errors = new BatchErrors([new BatchError(code, message)]),
        }, cancellationToken);
    }

    /// <summary>
    /// Pins the shards in the record (a conditional update: a concurrent split's plan wins) and queues one message per
    /// shard. The caller completes the split's message only after every enqueue succeeded; if it dies in between, the
    /// message comes back and queues them all again.
    /// </summary>
    private async Task<BatchRecord> SplitAsync(string batchId, int total, CancellationToken cancellationToken)
    {
        long now = Now();
        BatchShards plan = BatchShards.Split(total, _options.ShardLines);
        BatchRecord batch = await UpdateAsync(batchId, b => b.Shards is null && b.Status is BatchStatus.Validating or BatchStatus.InProgress
            ? b with { Status = BatchStatus.InProgress, InProgressAt = b.InProgressAt ?? now, RequestCounts = new(total, 0, 0), Shards = plan }
            : null, cancellationToken).ConfigureAwait(false);
        if (batch.Shards is not { } pinned)
        {
            // Cancelled (or ended) since it was read.
            return StopStatus(batch) is { } stop ? await EndAsync(batchId, stop, cancellationToken).ConfigureAwait(false) : batch;
        }

        await EnqueueShardsAsync(batchId, pinned, cancellationToken).ConfigureAwait(false);
        LogSplit(batchId, pinned.Total, pinned.Count, pinned.ShardLines);
        return batch;
    }

    private async Task EnqueueShardsAsync(string batchId, BatchShards plan, CancellationToken cancellationToken)
    {
        for (int shard = 0; shard < plan.Count; shard++)
        {
            await queue.EnqueueAsync(JobMessage.ForShard(batchId, shard), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs the lines of <paramref name="range"/> (a shard, or a whole unsharded batch) from the end of what is written
    /// there, then assembles the batch if every range is written.
    /// </summary>
    private async Task<BatchRecord> RunLinesAsync(BatchRecord batch, IBatchRequestHandler handler, int? shard, LineRange range, CancellationToken cancellationToken)
    {
        string batchId = batch.Id;

        // The lease tells the sweep that a worker runs this batch (and will notice cancel and expiry itself).
        await RenewLeaseAsync(batchId, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<LineRange> ranges = batch.Shards?.Ranges() ?? [range];
        BatchProgress progress = (await output.ReadProgressAsync(batchId, [range], cancellationToken).ConfigureAwait(false))[0];
        long now = Now();

        // An unsharded run learns the total here; a split batch's was set at the split and its counts move with its chunks.
        batch = await UpdateAsync(batchId, b => b.Status is BatchStatus.Validating or BatchStatus.InProgress
            ? b with
            {
                Status = BatchStatus.InProgress,
                InProgressAt = b.InProgressAt ?? now,
                RequestCounts = b.Shards is null ? new(range.End, progress.Completed, progress.Failed) : b.RequestCounts,
            }
            : null, cancellationToken).ConfigureAwait(false);
        if (batch.IsTerminal || StopStatus(batch) is not null)
        {
            return await StopAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        if (progress.Chunks == 0)
        {
            LogStarted(batchId, range.Start, range.End);
        }
        else
        {
            LogResumed(batchId, progress.Chunks, progress.EndLine, range.End);
        }

        if (progress.EndLine < range.End)
        {
            await using Stream input = await OpenInputAsync(batch, cancellationToken).ConfigureAwait(false);
            using var lines = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await using var state = new RunState(batchId, range, ranges, progress);
            Task watch = WatchAsync(state, lines, watching.Token);
            int pieceLines = _options.MaxLinesInFlight / 2;
            var piece = new List<BatchInputEntry>(pieceLines);
            try
            {
                await foreach (BatchInputEntry entry in BatchInputReader.ReadAsync(input, handler.MaxBodyBytes, cancellationToken).ConfigureAwait(false))
                {
                    if (entry.Index < progress.EndLine)
                    {
                        continue;
                    }

                    if (entry.Index >= range.End || state.Stop is not null)
                    {
                        break;
                    }

                    piece.Add(entry);
                    if (piece.Count == pieceLines && await StartPieceAsync(state, handler, piece, lines.Token, cancellationToken).ConfigureAwait(false) is { } stop)
                    {
                        return await StopAsync(stop, cancellationToken).ConfigureAwait(false);
                    }
                }

                if (state.Stop is null && await StartPieceAsync(state, handler, piece, lines.Token, cancellationToken).ConfigureAwait(false) is { } stopped)
                {
                    return await StopAsync(stopped, cancellationToken).ConfigureAwait(false);
                }

                while (state.InFlight.Count > 0)
                {
                    if (await WriteNextAsync(state, cancellationToken).ConfigureAwait(false) is { } stop)
                    {
                        return await StopAsync(stop, cancellationToken).ConfigureAwait(false);
                    }
                }

                if (state.Writer is not null && await EndChunkAsync(state, cancellationToken).ConfigureAwait(false) is { } stopAtEnd)
                {
                    return await StopAsync(stopAtEnd, cancellationToken).ConfigureAwait(false);
                }

                if (state.Stop is { } seen)
                {
                    return await StopAsync(seen, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                // Lines still running belong to no written chunk: stop them and let them end before the state goes.
                await lines.CancelAsync().ConfigureAwait(false);
                await watching.CancelAsync().ConfigureAwait(false);
                await watch.ConfigureAwait(false);
                await state.DrainAsync().ConfigureAwait(false);
            }
        }

        return await AssembleAsync(batchId, shard, ranges, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// When every range is written, the one worker that moves the batch to <c>finalizing</c> (a conditional update that
    /// names its shard) joins the output; a redelivery of that worker's message joins it again (idempotent). Any other
    /// worker leaves the batch to it.
    /// </summary>
    private async Task<BatchRecord> AssembleAsync(string batchId, int? shard, IReadOnlyList<LineRange> ranges, CancellationToken cancellationToken)
    {
        IReadOnlyList<BatchProgress> progress = await output.ReadProgressAsync(batchId, ranges, cancellationToken).ConfigureAwait(false);
        bool written = progress.Zip(ranges).All(p => p.First.EndLine == p.Second.End);
        long now = Now();
        BatchRecord batch = await UpdateAsync(batchId, b => written && b.Status == BatchStatus.InProgress
            ? b with { Status = BatchStatus.Finalizing, FinalizingAt = now, Shards = b.Shards is { } plan ? plan with { Assembler = shard } : null }
            : null, cancellationToken).ConfigureAwait(false);
        if (written && batch.Status == BatchStatus.Finalizing && batch.Shards?.Assembler == shard)
        {
            return await FinishAsync(batch, progress, BatchStatus.Completed, cancellationToken).ConfigureAwait(false);
        }

        // Not all written (other shards remain), or another worker assembles; a cancel that landed meanwhile ends it now.
        return batch.IsTerminal || StopStatus(batch) is null ? batch : await StopAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a piece of lines in the model's order, shortest body first (so its batches pad little), once the window
    /// has room for it: the piece before stays queued in the model while older lines are written. Results stay in
    /// input order. Returns the batch when the run must stop, or null to go on.
    /// </summary>
    private async Task<BatchRecord?> StartPieceAsync(RunState state, IBatchRequestHandler handler, List<BatchInputEntry> piece, CancellationToken lines, CancellationToken cancellationToken)
    {
        while (state.InFlight.Count > 0 && state.InFlight.Count + piece.Count > _options.MaxLinesInFlight)
        {
            if (await WriteNextAsync(state, cancellationToken).ConfigureAwait(false) is { } stop)
            {
                return stop;
            }
        }

        if (state.Stop is not null)
        {
            return null;
        }

        var started = new Task<LineResult>[piece.Count];
        foreach (int i in Enumerable.Range(0, piece.Count).OrderBy(i => BodyBytes(piece[i])))
        {
            // Called in this order on this thread, so the lines reach the batcher's queue in it.
            started[i] = RunLineAsync(handler, piece[i], lines);
        }

        for (int i = 0; i < piece.Count; i++)
        {
            state.InFlight.Enqueue((piece[i], started[i]));
        }

        piece.Clear();
        return null;
    }

    private static int BodyBytes(BatchInputEntry entry) => entry.Line is { } line ? JsonMarshal.GetRawUtf8Value(line.Body).Length : 0;

    /// <summary>
    /// Reads the batch's record every <see cref="JobsOptions.StopPollInterval"/>; on cancel, expiry or an end by another
    /// worker it drops the lines not yet run (their tokens cancel them in the batcher's queue) and records why.
    /// </summary>
    private async Task WatchAsync(RunState state, CancellationTokenSource lines, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.StopPollInterval, time, cancellationToken).ConfigureAwait(false);
                try
                {
                    if ((await batches.GetAsync(state.BatchId, cancellationToken).ConfigureAwait(false))?.Batch is { } batch
                        && (batch.IsTerminal || StopStatus(batch) is not null))
                    {
                        state.Stop = batch;
                        await lines.CancelAsync().ConfigureAwait(false);
                        LogStopSeen(state.BatchId, batch.Status);
                        return;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A failed read costs a tick: the next one, or the end of the chunk, sees the cancel.
                    LogWatchFailed(state.BatchId, e);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Writes the oldest line in flight to the chunk; returns the batch when the run must stop (ended, cancelled,
    /// expired), or null to go on. Once a stop is seen, the first line that did not run ends the chunk there: the lines
    /// that ran before it are written, none after it.
    /// </summary>
    private async Task<BatchRecord?> WriteNextAsync(RunState state, CancellationToken cancellationToken)
    {
        Task<LineResult> running = state.InFlight.Peek().Result;
        await ((Task)running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (state.Stop is { } stop && !running.IsCompletedSuccessfully)
        {
            return state.Writer is null ? stop : await EndChunkAsync(state, cancellationToken).ConfigureAwait(false) ?? stop;
        }

        (BatchInputEntry entry, _) = state.InFlight.Dequeue();
        LineResult result = await running.ConfigureAwait(false);
        if (state.Writer is null)
        {
            state.Writer = await output.BeginChunkAsync(state.BatchId, state.Progress.EndLine, cancellationToken).ConfigureAwait(false);
            state.ChunkBytes = 0;
        }

        state.Line.Clear();
        BatchOutputLines.Write(state.Line, state.BatchId, entry, result);
        if (result.Succeeded)
        {
            await state.Writer.WriteOutputAsync(state.Line.WrittenMemory, cancellationToken).ConfigureAwait(false);
            state.ChunkCompleted++;
        }
        else
        {
            await state.Writer.WriteErrorsAsync(state.Line.WrittenMemory, cancellationToken).ConfigureAwait(false);
            state.ChunkFailed++;
        }

        state.ChunkBytes += state.Line.WrittenCount;
        state.ReleaseLineBuffer();
        return state.ChunkLines >= _options.ChunkLines || state.ChunkBytes >= _options.ChunkBytes
            ? await EndChunkAsync(state, cancellationToken).ConfigureAwait(false)
            : null;
    }

    /// <summary>
    /// Makes the open chunk durable and moves the batch's counts to what the stored chunks of every range say (shards
    /// on other instances included; never backwards, as their updates race); returns the batch when the run must stop.
    /// </summary>
    private async Task<BatchRecord?> EndChunkAsync(RunState state, CancellationToken cancellationToken)
    {
        var chunk = new BatchChunk(state.Progress.EndLine, state.ChunkLines, state.ChunkCompleted, state.ChunkFailed);
        await state.Writer!.CompleteAsync(chunk, cancellationToken).ConfigureAwait(false);
        await state.Writer.DisposeAsync().ConfigureAwait(false);
        state.Writer = null;
        state.Progress = state.Progress.After(chunk);
        (state.ChunkCompleted, state.ChunkFailed) = (0, 0);
        LogChunk(state.BatchId, chunk.FirstLine, chunk.EndLine, state.Range.End);

        // Unsharded, this run's own chain is the batch's: only shards need the other ranges' markers listed.
        IReadOnlyList<BatchProgress> all = state.Ranges.Count == 1
            ? [state.Progress]
            : await output.ReadProgressAsync(state.BatchId, state.Ranges, cancellationToken).ConfigureAwait(false);
        (int completed, int failed) = (all.Sum(p => p.Completed), all.Sum(p => p.Failed));
        BatchRecord batch = await UpdateAsync(state.BatchId, b => b.IsTerminal || completed + failed <= b.RequestCounts.Completed + b.RequestCounts.Failed
            ? null
            : b with { RequestCounts = new(Math.Max(b.RequestCounts.Total, completed + failed), completed, failed) }, cancellationToken).ConfigureAwait(false);
        return batch.IsTerminal || StopStatus(batch) is not null ? batch : null;
    }

    /// <summary>A batch found ended stays as it is; one found cancelled or expired is ended now with what every shard wrote.</summary>
    private async Task<BatchRecord> StopAsync(BatchRecord batch, CancellationToken cancellationToken) =>
        !batch.IsTerminal && StopStatus(batch) is { } status ? await EndAsync(batch.Id, status, cancellationToken).ConfigureAwait(false) : batch;

    /// <summary>Cancelled or expired: the status a batch that must stop now ends in; null when it may go on.</summary>
    private BatchStatus? StopStatus(BatchRecord batch) =>
        batch.Status == BatchStatus.Cancelling ? BatchStatus.Cancelled
        : batch.ExpiresAt is { } expiresAt && Now() >= expiresAt ? BatchStatus.Expired
        : null;

    private async Task<LineResult> RunLineAsync(IBatchRequestHandler handler, BatchInputEntry entry, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (entry.Error is { } error)
        {
            return new LineResult(0, default, error);
        }

        BatchInputLine line = entry.Line!;
        if (line.Url != handler.Endpoint)
        {
            return new LineResult(0, default, new BatchLineError("invalid_url",
                $"Line {entry.LineNumber}: url '{line.Url}' is not the batch's endpoint '{handler.Endpoint}'; a batch serves one endpoint."));
        }

        while (true)
        {
            try
            {
                return new LineResult(200, await handler.HandleAsync(line.Body, BatchProfileKind.Bulk, cancellationToken).ConfigureAwait(false), null);
            }
            catch (BatchRequestRejectedException e)
            {
                return new LineResult(e.StatusCode, e.Body, null);
            }
            catch (OverloadedException e)
            {
                // The bulk queue is full (embeddings lines with many inputs each, generation lines beyond the scheduler's
                // bulk MaxQueuedRequests): wait for room rather than fail the line.
                await Task.Delay(e.RetryAfter, time, cancellationToken).ConfigureAwait(false);
            }
            catch (ModelNotReadyException e) when (e.State == ModelState.Loading)
            {
                // A cold model: more lines wait for its load than Thaw:Models:MaxWaitingRequests lets in, or the load
                // outlasts LoadWaitTimeout. The line waits for it too, rather than fail the run and make the whole job
                // wait for a redelivery. A load that failed (State Failed) still fails the run, to be retried.
                await Task.Delay(e.RetryAfter, time, cancellationToken).ConfigureAwait(false);
            }
            catch (ModelTooLargeException e)
            {
                // No line of this batch can run until the instance is reconfigured: fail the batch now with the reason,
                // rather than retry the job until Thaw:Jobs:MaxDequeueCount gives up on it.
                throw new BatchFailedException("model_too_large", e.Message);
            }
        }
    }

    private async Task<BatchRecord> FinishAsync(BatchRecord ending, IReadOnlyList<BatchProgress> progress, BatchStatus final, CancellationToken cancellationToken)
    {
        string batchId = ending.Id;
        CommittedOutput committed = await output.CommitAsync(batchId, ending.Owner, progress, cancellationToken).ConfigureAwait(false);
        (int lines, int completed, int failed) = (progress.Sum(p => p.EndLine - p.FirstLine), progress.Sum(p => p.Completed), progress.Sum(p => p.Failed));
        long now = Now();
        BatchRecord batch = await UpdateAsync(batchId, b =>
        {
            if (b.IsTerminal)
            {
                return null;
            }

            // A cancel that arrived after the last chunk still ends the batch as cancelled, with all its results.
            BatchStatus status = final == BatchStatus.Completed && b.Status == BatchStatus.Cancelling ? BatchStatus.Cancelled : final;
            return b with
            {
                Status = status,
                OutputFileId = committed.Output.Id,
                ErrorFileId = committed.Errors?.Id,
                CompletedAt = status == BatchStatus.Completed ? now : b.CompletedAt,
                CancelledAt = status == BatchStatus.Cancelled ? now : b.CancelledAt,
                ExpiredAt = status == BatchStatus.Expired ? now : b.ExpiredAt,
                RequestCounts = new BatchRequestCounts(Math.Max(b.RequestCounts.Total, lines), completed, failed),
            };
        }, cancellationToken).ConfigureAwait(false);
        LogFinished(batchId, batch.Status, batch.RequestCounts.Completed, batch.RequestCounts.Failed);
        return batch;
    }

    private async Task<Stream> OpenInputAsync(BatchRecord batch, CancellationToken cancellationToken) =>
        await files.OpenReadAsync(batch.InputFileId, cancellationToken).ConfigureAwait(false)
            ?? throw new BatchFailedException("input_file_missing", $"The input file '{batch.InputFileId}' no longer exists.");

    private async Task<BatchRecord> UpdateAsync(string batchId, Func<BatchRecord, BatchRecord?> change, CancellationToken cancellationToken) =>
        await batches.UpdateAsync(batchId, change, cancellationToken).ConfigureAwait(false)
            ?? throw new BatchFailedException(BatchFailedException.NotFound, $"The batch '{batchId}' disappeared while it ran.");

    private long Now() => time.GetUtcNow().ToUnixTimeSeconds();

    private sealed class RunState(string batchId, LineRange range, IReadOnlyList<LineRange> ranges, BatchProgress progress) : IAsyncDisposable
    {
        // A line buffer that grew past this for one large answer is dropped after it, not kept for the whole run.
        private const int KeptLineBufferBytes = 1 << 20;

        private BatchRecord? _stop;

        public string BatchId => batchId;

        /// <summary>The lines this run writes.</summary>
        public LineRange Range => range;

        /// <summary>Every range of the batch: their stored chains are its counts.</summary>
        public IReadOnlyList<LineRange> Ranges => ranges;

        /// <summary>What is durably written: the chunks before the open one.</summary>
        public BatchProgress Progress { get; set; } = progress;

        /// <summary>Lines started and not yet written, oldest first: their answers are written in this order.</summary>
        public Queue<(BatchInputEntry Entry, Task<LineResult> Result)> InFlight { get; } = new();

        public IBatchChunkWriter? Writer { get; set; }

        /// <summary>The record the watch found cancelled, expired or ended: no line starts after it is set.</summary>
        public BatchRecord? Stop
        {
            get => Volatile.Read(ref _stop);
            set => Volatile.Write(ref _stop, value);
        }

        public ArrayBufferWriter<byte> Line { get; private set; } = new(4096);

        public int ChunkCompleted { get; set; }

        public int ChunkFailed { get; set; }

        public int ChunkLines => ChunkCompleted + ChunkFailed;

        public long ChunkBytes { get; set; }

        public void ReleaseLineBuffer()
        {
            if (Line.Capacity > KeptLineBufferBytes)
            {
                Line = new ArrayBufferWriter<byte>(4096);
            }
        }

        public async Task DrainAsync()
        {
            while (InFlight.TryDequeue(out var line))
            {
                try
                {
                    await line.Result.ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // Its chunk is not written: a rerun runs the line again.
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Writer is not null)
            {
                await Writer.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Batch {BatchId}: running lines {First} to {End}")]
    private partial void LogStarted(string batchId, int first, int end);

    [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "Batch {BatchId}: resuming after {Chunks} chunks (line index {Line}, running to {End})")]
    private partial void LogResumed(string batchId, int chunks, int line, int end);

    [LoggerMessage(EventId = 902, Level = LogLevel.Debug, Message = "Batch {BatchId}: chunk of lines {First} to {Done} written, running to {End}")]
    private partial void LogChunk(string batchId, int first, int done, int end);

    [LoggerMessage(EventId = 903, Level = LogLevel.Information, Message = "Batch {BatchId}: {Status}, {Completed} lines answered, {Failed} in the error file")]
    private partial void LogFinished(string batchId, BatchStatus status, int completed, int failed);

    [LoggerMessage(EventId = 904, Level = LogLevel.Information, Message = "Batch {BatchId}: {Total} lines split into {Shards} shards of {ShardLines}")]
    private partial void LogSplit(string batchId, int total, int shards, int shardLines);

    [LoggerMessage(EventId = 905, Level = LogLevel.Information, Message = "Batch {BatchId}: found {Status} while running; dropping the lines not yet run")]
    private partial void LogStopSeen(string batchId, BatchStatus status);

    [LoggerMessage(EventId = 906, Level = LogLevel.Warning, Message = "Batch {BatchId}: could not read the batch to watch for cancel; trying again")]
    private partial void LogWatchFailed(string batchId, Exception exception);
}
