using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Inference.Batching;

namespace Thaw.Inference.Jobs;

/// <summary>
/// Runs one batch, whatever transport delivered it: streams the input file, sends its lines to the endpoint handler
/// many at a time (so the model's bulk batcher fills its batches) and streams their results, in input order, into
/// chunks. A chunk ends after <see cref="JobsOptions.ChunkLines"/> lines or <see cref="JobsOptions.ChunkBytes"/> of
/// output; its marker records the lines it covers, progress is durable and the batch record's counts move. A rerun
/// resumes after the last recorded line, whatever bounds it runs with; result ids derive from the batch id and line
/// index, so a redone chunk replaces itself. Memory holds at most <see cref="JobsOptions.MaxLinesInFlight"/> answers.
/// Cancel and expiry are noticed between chunks (and by <see cref="BatchSweeper"/> when nothing runs the batch).
/// </summary>
public sealed partial class BatchJobRunner(
    IBatchStore batches,
    IFileStore files,
    IBatchOutput output,
    IEnumerable<IBatchRequestHandler> handlers,
    IOptions<JobsOptions> options,
    TimeProvider time,
    ILogger<BatchJobRunner> logger)
{
    private readonly JobsOptions _options = options.Value;

    /// <summary>Runs the batch to a terminal state and returns it.</summary>
    /// <exception cref="BatchFailedException">The batch cannot succeed (the caller marks it failed).</exception>
    /// <exception cref="OperationCanceledException">Stopped: what was written stays, a rerun resumes from it.</exception>
    public async Task<BatchRecord> RunAsync(string batchId, CancellationToken cancellationToken = default)
    {
        BatchRecord batch = (await batches.GetAsync(batchId, cancellationToken).ConfigureAwait(false))?.Batch
            ?? throw new BatchFailedException(BatchFailedException.NotFound, $"No batch '{batchId}'.");
        if (batch.IsTerminal)
        {
            return batch;
        }

        // The lease tells the sweep that a worker runs this batch (and will notice cancel and expiry itself).
        await RenewLeaseAsync(batchId, cancellationToken).ConfigureAwait(false);
        IBatchRequestHandler handler = handlers.FirstOrDefault(h => h.Endpoint == batch.Endpoint)
            ?? throw new BatchFailedException("unsupported_endpoint", $"No handler serves the endpoint '{batch.Endpoint}'.");
        BatchProgress progress = await output.ReadProgressAsync(batchId, cancellationToken).ConfigureAwait(false);
        if (StopStatus(batch) is { } stopped)
        {
            return await FinishAsync(batchId, progress, stopped, cancellationToken).ConfigureAwait(false);
        }

        int total;
        await using (Stream counting = await OpenInputAsync(batch, cancellationToken).ConfigureAwait(false))
        {
            total = await BatchInputReader.CountAsync(counting, cancellationToken).ConfigureAwait(false);
        }

        long now = Now();
        batch = await UpdateAsync(batchId, b => b.Status is BatchStatus.Validating or BatchStatus.InProgress
            ? b with { Status = BatchStatus.InProgress, InProgressAt = b.InProgressAt ?? now, RequestCounts = new(total, progress.Completed, progress.Failed) }
            : null, cancellationToken).ConfigureAwait(false);
        if (progress.Chunks == 0)
        {
            LogStarted(batchId, total);
        }
        else
        {
            LogResumed(batchId, progress.Chunks, progress.Lines, total);
        }

        await using Stream input = await OpenInputAsync(batch, cancellationToken).ConfigureAwait(false);
        using var lines = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var state = new RunState(batchId, handler, total, progress);
        try
        {
            await foreach (BatchInputEntry entry in BatchInputReader.ReadAsync(input, handler.MaxBodyBytes, cancellationToken).ConfigureAwait(false))
            {
                if (entry.Index < progress.Lines)
                {
                    continue;
                }

                // Room in the window, and never more lines started than the chunk may still take: a chunk that ends
                // on its line bound (and is then found cancelled) has run no line beyond it.
                while (state.InFlight.Count >= _options.MaxLinesInFlight || state.ChunkLines + state.InFlight.Count >= _options.ChunkLines)
                {
                    if (await WriteNextAsync(state, cancellationToken).ConfigureAwait(false) is { } stop)
                    {
                        return await FinishAsync(batchId, state.Progress, stop, cancellationToken).ConfigureAwait(false);
                    }
                }

                CancellationToken token = lines.Token;
                state.InFlight.Enqueue((entry, Task.Run(() => RunLineAsync(handler, entry, token), token)));
            }

            while (state.InFlight.Count > 0)
            {
                if (await WriteNextAsync(state, cancellationToken).ConfigureAwait(false) is { } stop)
                {
                    return await FinishAsync(batchId, state.Progress, stop, cancellationToken).ConfigureAwait(false);
                }
            }

            if (state.Writer is not null && await EndChunkAsync(state, cancellationToken).ConfigureAwait(false) is { } stopAtEnd)
            {
                return await FinishAsync(batchId, state.Progress, stopAtEnd, cancellationToken).ConfigureAwait(false);
            }

            return await FinishAsync(batchId, state.Progress, BatchStatus.Completed, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Lines still running belong to no written chunk: stop them and let them end before the state goes.
            await lines.CancelAsync().ConfigureAwait(false);
            await state.DrainAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Records that a worker runs the batch for the next visibility timeout (the processor renews it as it renews the message).</summary>
    public Task RenewLeaseAsync(string batchId, CancellationToken cancellationToken = default) =>
        output.RenewLeaseAsync(batchId, time.GetUtcNow() + _options.VisibilityTimeout, cancellationToken);

    /// <summary>
    /// Ends a batch that no worker runs as <paramref name="status"/> (cancelled, expired) with what was written:
    /// the chunks stored so far become its output and error files.
    /// </summary>
    public async Task<BatchRecord> EndAsync(string batchId, BatchStatus status, CancellationToken cancellationToken = default)
    {
        BatchProgress progress = await output.ReadProgressAsync(batchId, cancellationToken).ConfigureAwait(false);
        return await FinishAsync(batchId, progress, status, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Writes the oldest line in flight to the chunk; returns the status to stop in (cancelled, expired) or null to go on.</summary>
    private async Task<BatchStatus?> WriteNextAsync(RunState state, CancellationToken cancellationToken)
    {
        (BatchInputEntry entry, Task<LineResult> running) = state.InFlight.Dequeue();
        LineResult result = await running.ConfigureAwait(false);
        if (state.Writer is null)
        {
            state.Writer = await output.BeginChunkAsync(state.BatchId, state.Progress.Chunks, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Makes the open chunk durable and moves the counts; returns the status to stop in or null to go on.</summary>
    private async Task<BatchStatus?> EndChunkAsync(RunState state, CancellationToken cancellationToken)
    {
        var chunk = new BatchChunk(state.Progress.Chunks, state.Progress.Lines, state.ChunkLines, state.ChunkCompleted, state.ChunkFailed);
        await state.Writer!.CompleteAsync(chunk, cancellationToken).ConfigureAwait(false);
        await state.Writer.DisposeAsync().ConfigureAwait(false);
        state.Writer = null;
        state.Progress = state.Progress.After(chunk);
        (state.ChunkCompleted, state.ChunkFailed) = (0, 0);
        LogChunk(state.BatchId, chunk.Index, state.Progress.Lines, state.Total);

        var counts = new BatchRequestCounts(state.Total, state.Progress.Completed, state.Progress.Failed);
        BatchRecord batch = await UpdateAsync(state.BatchId, b => b.IsTerminal ? null : b with { RequestCounts = counts }, cancellationToken).ConfigureAwait(false);
        return batch.IsTerminal ? batch.Status : StopStatus(batch);
    }

    /// <summary>Cancelled or expired: the status a batch that must stop now ends in; null when it may go on.</summary>
    private BatchStatus? StopStatus(BatchRecord batch) =>
        batch.Status == BatchStatus.Cancelling ? BatchStatus.Cancelled
        : batch.ExpiresAt is { } expiresAt && Now() >= expiresAt ? BatchStatus.Expired
        : null;

    private async Task<LineResult> RunLineAsync(IBatchRequestHandler handler, BatchInputEntry entry, CancellationToken cancellationToken)
    {
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
                // The bulk queue is full (lines with many inputs each): wait for room rather than fail the line.
                await Task.Delay(e.RetryAfter, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<BatchRecord> FinishAsync(string batchId, BatchProgress progress, BatchStatus final, CancellationToken cancellationToken)
    {
        if (final == BatchStatus.Completed)
        {
            // A cancel that lands now stays: the batch ends cancelled (with all its results), not completed.
            long finalizing = Now();
            await UpdateAsync(batchId, b => b.IsTerminal || b.Status == BatchStatus.Cancelling ? null : b with { Status = BatchStatus.Finalizing, FinalizingAt = finalizing }, cancellationToken)
                .ConfigureAwait(false);
        }

        CommittedOutput committed = await output.CommitAsync(batchId, progress, cancellationToken).ConfigureAwait(false);
        long now = Now();
        BatchRecord batch = await UpdateAsync(batchId, b =>
        {
            if (b.IsTerminal)
            {
                return null;
            }

            // A cancel that arrived after the last chunk still ends the batch as cancelled, with all its results.
            BatchStatus status = final == BatchStatus.Completed && b.Status == BatchStatus.Cancelling ? BatchStatus.Cancelled : final;
            var counts = new BatchRequestCounts(Math.Max(b.RequestCounts.Total, progress.Lines), progress.Completed, progress.Failed);
            return b with
            {
                Status = status,
                OutputFileId = committed.Output.Id,
                ErrorFileId = committed.Errors?.Id,
                CompletedAt = status == BatchStatus.Completed ? now : b.CompletedAt,
                CancelledAt = status == BatchStatus.Cancelled ? now : b.CancelledAt,
                ExpiredAt = status == BatchStatus.Expired ? now : b.ExpiredAt,
                RequestCounts = counts,
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

    private sealed class RunState(string batchId, IBatchRequestHandler handler, int total, BatchProgress progress) : IAsyncDisposable
    {
        // A line buffer that grew past this for one large answer is dropped after it, not kept for the whole run.
        private const int KeptLineBufferBytes = 1 << 20;

        public string BatchId => batchId;

        public IBatchRequestHandler Handler => handler;

        public int Total => total;

        /// <summary>What is durably written: the chunks before the open one.</summary>
        public BatchProgress Progress { get; set; } = progress;

        /// <summary>Lines started and not yet written, oldest first: their answers are written in this order.</summary>
        public Queue<(BatchInputEntry Entry, Task<LineResult> Result)> InFlight { get; } = new();

        public IBatchChunkWriter? Writer { get; set; }

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

    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Batch {BatchId}: started, {Total} lines")]
    private partial void LogStarted(string batchId, int total);

    [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "Batch {BatchId}: resuming after {Chunks} chunks (line index {Line} of {Total})")]
    private partial void LogResumed(string batchId, int chunks, int line, int total);

    [LoggerMessage(EventId = 902, Level = LogLevel.Debug, Message = "Batch {BatchId}: chunk {Chunk} written, {Done}/{Total} lines done")]
    private partial void LogChunk(string batchId, int chunk, int done, int total);

    [LoggerMessage(EventId = 903, Level = LogLevel.Information, Message = "Batch {BatchId}: {Status}, {Completed} lines answered, {Failed} in the error file")]
    private partial void LogFinished(string batchId, BatchStatus status, int completed, int failed);
}
