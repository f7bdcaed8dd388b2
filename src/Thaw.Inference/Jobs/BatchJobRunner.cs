using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Inference.Batching;

namespace Thaw.Inference.Jobs;

/// <summary>
/// Runs one batch, whatever transport delivered it: streams the input file, sends its lines to the endpoint handler
/// many at a time (so the model's bulk batcher fills its batches), and writes results chunk by chunk. A chunk is
/// <see cref="JobsOptions.ChunkLines"/> lines; after each, progress is durable and the batch record's counts move.
/// A rerun resumes after the last written chunk; result ids derive from the batch id and line index, so a redone
/// chunk replaces itself. Cancel and expiry are noticed between chunks.
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
            ?? throw new BatchFailedException("batch_not_found", $"No batch '{batchId}'.");
        if (batch.IsTerminal)
        {
            return batch;
        }

        IBatchRequestHandler handler = handlers.FirstOrDefault(h => h.Endpoint == batch.Endpoint)
            ?? throw new BatchFailedException("unsupported_endpoint", $"No handler serves the endpoint '{batch.Endpoint}'.");
        BatchProgress progress = await output.ReadProgressAsync(batchId, cancellationToken).ConfigureAwait(false);
        if (batch.Status == BatchStatus.Cancelling)
        {
            return await FinishAsync(batchId, progress.Chunks, BatchStatus.Cancelled, cancellationToken).ConfigureAwait(false);
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
            LogResumed(batchId, progress.Chunks, progress.Chunks * _options.ChunkLines, total);
        }

        var state = new RunState(batchId, handler, total, progress);
        await using Stream input = await OpenInputAsync(batch, cancellationToken).ConfigureAwait(false);
        int skip = progress.Chunks * _options.ChunkLines;
        await foreach (BatchInputEntry entry in BatchInputReader.ReadAsync(input, cancellationToken).ConfigureAwait(false))
        {
            if (entry.Index < skip)
            {
                continue;
            }

            state.Pending.Add(entry);
            if (state.Pending.Count == _options.ChunkLines && await RunChunkAsync(state, cancellationToken).ConfigureAwait(false) is { } stop)
            {
                return await FinishAsync(batchId, state.Chunks, stop, cancellationToken).ConfigureAwait(false);
            }
        }

        if (state.Pending.Count > 0 && await RunChunkAsync(state, cancellationToken).ConfigureAwait(false) is { } stopAtEnd)
        {
            return await FinishAsync(batchId, state.Chunks, stopAtEnd, cancellationToken).ConfigureAwait(false);
        }

        return await FinishAsync(batchId, state.Chunks, BatchStatus.Completed, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Runs and writes the pending chunk; returns the status to stop in (cancelled, expired) or null to go on.</summary>
    private async Task<BatchStatus?> RunChunkAsync(RunState state, CancellationToken cancellationToken)
    {
        List<BatchInputEntry> lines = state.Pending;
        var results = new LineResult[lines.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, lines.Count),
            new ParallelOptions { MaxDegreeOfParallelism = _options.MaxLinesInFlight, CancellationToken = cancellationToken },
            async (i, token) => results[i] = await RunLineAsync(state.Handler, lines[i], token).ConfigureAwait(false)).ConfigureAwait(false);

        var outputLines = new ArrayBufferWriter<byte>();
        var errorLines = new ArrayBufferWriter<byte>();
        int completed = 0, failed = 0;
        for (int i = 0; i < lines.Count; i++)
        {
            bool ok = results[i].Succeeded;
            BatchOutputLines.Write(ok ? outputLines : errorLines, state.BatchId, lines[i], results[i]);
            (completed, failed) = ok ? (completed + 1, failed) : (completed, failed + 1);
        }

        await output.WriteChunkAsync(state.BatchId, new BatchChunk(state.Chunks, outputLines.WrittenMemory, errorLines.WrittenMemory, completed, failed), cancellationToken)
            .ConfigureAwait(false);
        state.Chunks++;
        state.Completed += completed;
        state.Failed += failed;
        lines.Clear();
        LogChunk(state.BatchId, state.Chunks - 1, state.Completed + state.Failed, state.Total);

        var counts = new BatchRequestCounts(state.Total, state.Completed, state.Failed);
        BatchRecord batch = await UpdateAsync(state.BatchId, b => b.IsTerminal ? null : b with { RequestCounts = counts }, cancellationToken).ConfigureAwait(false);
        if (batch.Status == BatchStatus.Cancelling)
        {
            return BatchStatus.Cancelled;
        }

        return batch.ExpiresAt is { } expiresAt && Now() >= expiresAt ? BatchStatus.Expired : null;
    }

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

    private async Task<BatchRecord> FinishAsync(string batchId, int chunks, BatchStatus final, CancellationToken cancellationToken)
    {
        if (final == BatchStatus.Completed)
        {
            long finalizing = Now();
            await UpdateAsync(batchId, b => b.IsTerminal ? null : b with { Status = BatchStatus.Finalizing, FinalizingAt = finalizing }, cancellationToken)
                .ConfigureAwait(false);
        }

        CommittedOutput committed = await output.CommitAsync(batchId, chunks, cancellationToken).ConfigureAwait(false);
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
            ?? throw new BatchFailedException("batch_not_found", $"The batch '{batchId}' disappeared while it ran.");

    private long Now() => time.GetUtcNow().ToUnixTimeSeconds();

    private sealed class RunState(string batchId, IBatchRequestHandler handler, int total, BatchProgress progress)
    {
        public string BatchId => batchId;

        public IBatchRequestHandler Handler => handler;

        public int Total => total;

        public List<BatchInputEntry> Pending { get; } = [];

        public int Chunks { get; set; } = progress.Chunks;

        public int Completed { get; set; } = progress.Completed;

        public int Failed { get; set; } = progress.Failed;
    }

    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Batch {BatchId}: started, {Total} lines")]
    private partial void LogStarted(string batchId, int total);

    [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "Batch {BatchId}: resuming after chunk {Chunks} (line index {Line} of {Total})")]
    private partial void LogResumed(string batchId, int chunks, int line, int total);

    [LoggerMessage(EventId = 902, Level = LogLevel.Debug, Message = "Batch {BatchId}: chunk {Chunk} written, {Done}/{Total} lines done")]
    private partial void LogChunk(string batchId, int chunk, int done, int total);

    [LoggerMessage(EventId = 903, Level = LogLevel.Information, Message = "Batch {BatchId}: {Status}, {Completed} lines answered, {Failed} in the error file")]
    private partial void LogFinished(string batchId, BatchStatus status, int completed, int failed);
}
