using System.Text.Json;
using Thaw.Inference.Jobs;
using Thaw.Inference.Models;
using Thaw.Testing;

namespace Thaw.Inference.Tests.Jobs;

public sealed class BatchJobRunnerTests : IDisposable
{
    private readonly JobFixture _jobs = new(chunkLines: 10);

    public void Dispose() => _jobs.Dispose();

    [Fact]
    public async Task Run_WritesOneLinePerInput_AnsweredToOutputAndRefusedToErrors()
    {
        string batchId = await _jobs.CreateBatchAsync(JobFixture.Lines(25));

        BatchRecord batch = await _jobs.Runner(new EchoHandler()).RunAsync(batchId);

        Assert.Equal(BatchStatus.Completed, batch.Status);
        int bad = Enumerable.Range(0, 25).Count(i => i % 7 == 3);
        Assert.Equal(new BatchRequestCounts(25, 25 - bad, bad), batch.RequestCounts);
        Assert.NotNull(batch.InProgressAt);
        Assert.NotNull(batch.FinalizingAt);
        Assert.NotNull(batch.CompletedAt);
        JsonElement[] output = await _jobs.ReadLinesAsync(batch.OutputFileId);
        JsonElement[] errors = await _jobs.ReadLinesAsync(batch.ErrorFileId);
        Assert.Equal(Enumerable.Range(0, 25).Where(i => i % 7 != 3).Select(i => $"r{i}"), output.Select(CustomId));
        Assert.Equal(Enumerable.Range(0, 25).Where(i => i % 7 == 3).Select(i => $"r{i}"), errors.Select(CustomId));
        Assert.Equal($"text 0", output[0].GetProperty("response").GetProperty("body").GetProperty("echo").GetString());
        Assert.All(errors, e => Assert.Equal(400, e.GetProperty("response").GetProperty("status_code").GetInt32()));
    }

    [Fact]
    public async Task Run_StoppedAfterTwoChunks_ResumesFromTheThirdWithNoLineLostOrWrittenTwice()
    {
        string batchId = await _jobs.CreateBatchAsync(JobFixture.Lines(45));
        using var stop = new CancellationTokenSource();
        var first = new EchoHandler(async (call, _) =>
        {
            if (call == 25)
            {
                await stop.CancelAsync();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _jobs.Runner(first).RunAsync(batchId, stop.Token));
        Assert.Equal(2, (await _jobs.Output.ReadProgressAsync(batchId, [LineRange.All]))[0].Chunks);
        Assert.Equal(BatchStatus.InProgress, (await _jobs.GetAsync(batchId)).Status);

        var second = new EchoHandler();
        BatchRecord batch = await _jobs.Runner(second).RunAsync(batchId);

        Assert.Equal(BatchStatus.Completed, batch.Status);
        Assert.Equal(45 - 20, second.Calls);
        JsonElement[] all = [.. await _jobs.ReadLinesAsync(batch.OutputFileId), .. await _jobs.ReadLinesAsync(batch.ErrorFileId)];
        Assert.Equal(Enumerable.Range(0, 45).Select(i => $"r{i}").Order(), all.Select(CustomId).Order());
        Assert.Equal(45, all.Select(l => l.GetProperty("id").GetString()).Distinct().Count());
        Assert.Equal(45, batch.RequestCounts.Completed + batch.RequestCounts.Failed);
    }

    [Fact]
    public async Task Run_CancelledWhileRunning_StopsAtTheEndOfTheChunkWithItsResults()
    {
        string batchId = await _jobs.CreateBatchAsync(JobFixture.Lines(50));
        var handler = new EchoHandler(async (call, token) =>
        {
            if (call == 15)
            {
                await _jobs.Batches.UpdateAsync(batchId, b => b with { Status = BatchStatus.Cancelling, CancellingAt = 1 }, token);
            }
        });

        BatchRecord batch = await _jobs.Runner(handler).RunAsync(batchId);

        Assert.Equal(BatchStatus.Cancelled, batch.Status);
        Assert.NotNull(batch.CancelledAt);
        // With the clock still, the watch never ticks: the end of the chunk is where the cancel is seen. Lines of the next
        // piece may have run meanwhile; none of them is written.
        Assert.InRange(handler.Calls, 20, 20 + _jobs.Options.MaxLinesInFlight);
        JsonElement[] all = [.. await _jobs.ReadLinesAsync(batch.OutputFileId), .. await _jobs.ReadLinesAsync(batch.ErrorFileId)];
        Assert.Equal(20, all.Length);
        Assert.Equal(20, batch.RequestCounts.Completed + batch.RequestCounts.Failed);
    }

    [Theory]
    [InlineData(BatchStatus.Cancelled)]
    [InlineData(BatchStatus.Expired)]
    public async Task Run_CancelledOrExpiredWhileAModelBatchRuns_StopsWithinThatBatchNotAtTheChunk(BatchStatus final)
    {
        // One chunk for the whole batch, so only the watch can see the cancel; the model runs batches of 64 lines.
        using var jobs = new JobFixture(chunkLines: 1000);
        const int ModelBatch = 64;
        jobs.Options.MaxLinesInFlight = 2 * ModelBatch;
        string batchId = await jobs.CreateBatchAsync(JobFixture.Lines(400));
        var handler = new EchoHandler(async (call, token) =>
        {
            if (call == ModelBatch + 1)
            {
                // The first model batch is answered; the cancel (or the expiry) lands while the second waits for the model.
                if (final == BatchStatus.Cancelled)
                {
                    await jobs.Batches.UpdateAsync(batchId, b => b with { Status = BatchStatus.Cancelling, CancellingAt = 1 }, token);
                    jobs.Time.Advance(jobs.Options.StopPollInterval);
                }
                else
                {
                    jobs.Time.Advance(TimeSpan.FromHours(24));
                }
            }

            if (call > ModelBatch)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, token).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            }
        });

        BatchRecord batch = await jobs.Runner(handler).RunAsync(batchId);

        Assert.Equal(final, batch.Status);
        Assert.Equal(ModelBatch, batch.RequestCounts.Completed + batch.RequestCounts.Failed);
        JsonElement[] all = [.. await jobs.ReadLinesAsync(batch.OutputFileId), .. await jobs.ReadLinesAsync(batch.ErrorFileId)];
        Assert.Equal(Enumerable.Range(0, ModelBatch).Select(i => $"r{i}").Order(), all.Select(CustomId).Order());
        Assert.InRange(handler.Calls, ModelBatch, 3 * ModelBatch);
    }

    [Fact]
    public async Task Run_LinesOfAPiece_ReachTheHandlerShortestFirstAndAreWrittenInInputOrder()
    {
        using var jobs = new JobFixture(chunkLines: 1000);
        jobs.Options.MaxLinesInFlight = 8;
        string content = string.Join('\n', Enumerable.Range(0, 8).Select(i =>
            JsonSerializer.Serialize(new { custom_id = $"r{i}", method = "POST", url = "/v1/embeddings", body = new { input = new string('x', 8 - (i % 4)) + i } })));
        string batchId = await jobs.CreateBatchAsync(content);
        var handler = new EchoHandler(recordInputs: true);

        BatchRecord batch = await jobs.Runner(handler).RunAsync(batchId);

        // Pieces of four: lines 0-3 (bodies 8, 7, 6, 5 characters long before the index) then 4-7, each shortest first.
        Assert.Equal(["xxxxx3", "xxxxxx2", "xxxxxxx1", "xxxxxxxx0", "xxxxx7", "xxxxxx6", "xxxxxxx5", "xxxxxxxx4"], handler.Inputs);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"r{i}"), (await jobs.ReadLinesAsync(batch.OutputFileId)).Select(CustomId));
    }

    [Fact]
    public async Task Run_ModelStillLoadingForSomeLines_TheyWaitAndEveryLineIsAnswered()
    {
        string batchId = await _jobs.CreateBatchAsync(JobFixture.Lines(5));
        // The first three calls find the model loading with its waiting bound full (Retry-After zero: no clock to advance).
        var handler = new EchoHandler((call, _) => call <= 3
            ? throw new ModelNotReadyException("m", ModelState.Loading, TimeSpan.Zero, "3 requests are already waiting for it to load")
            : Task.CompletedTask);

        BatchRecord batch = await _jobs.Runner(handler).RunAsync(batchId);

        Assert.Equal(BatchStatus.Completed, batch.Status);
        Assert.Equal(5 + 3, handler.Calls);
        Assert.Equal(5, batch.RequestCounts.Completed + batch.RequestCounts.Failed);
        Assert.Equal(5, (await _jobs.ReadLinesAsync(batch.OutputFileId)).Length + (await _jobs.ReadLinesAsync(batch.ErrorFileId)).Length);
    }

    [Fact]
    public async Task Run_ModelLoadFailed_FailsTheRunForTheJobToBeRetried()
    {
        string batchId = await _jobs.CreateBatchAsync(JobFixture.Lines(2));
        var handler = new EchoHandler((_, _) => throw new ModelNotReadyException("m", ModelState.Failed, TimeSpan.Zero, "the file is corrupt"));

        await Assert.ThrowsAsync<ModelNotReadyException>(() => _jobs.Runner(handler).RunAsync(batchId));

        Assert.Equal(BatchStatus.InProgress, (await _jobs.GetAsync(batchId)).Status);
    }

    [Fact]
    public async Task Run_InputFileGone_FailsAtOnce()
    {
        string batchId = await _jobs.CreateBatchAsync(JobFixture.Lines(3));
        await _jobs.Files.DeleteAsync((await _jobs.GetAsync(batchId)).InputFileId);

        BatchFailedException e = await Assert.ThrowsAsync<BatchFailedException>(() => _jobs.Runner(new EchoHandler()).RunAsync(batchId));

        Assert.Equal("input_file_missing", e.Code);
    }

    [Fact]
    public async Task Output_RewrittenChunk_ReplacesItself()
    {
        var chunk = new BatchChunk(0, 1, 1, 0);

        await _jobs.Output.WriteChunkAsync("batch_x", chunk, "{\"a\":1}\n"u8.ToArray(), ReadOnlyMemory<byte>.Empty);
        await _jobs.Output.WriteChunkAsync("batch_x", chunk, "{\"a\":1}\n"u8.ToArray(), ReadOnlyMemory<byte>.Empty);
        CommittedOutput committed = await _jobs.Output.CommitAsync("batch_x", OwnerNames.Default, [new BatchProgress(0, 1, 1, 1, 0)]);

        Assert.Equal([new BatchProgress(0, 1, 1, 1, 0)], await _jobs.Output.ReadProgressAsync("batch_x", [LineRange.All]));
        Assert.Single(await _jobs.ReadLinesAsync(committed.Output.Id));
        Assert.Null(committed.Errors);
    }

    private static string? CustomId(JsonElement line) => line.GetProperty("custom_id").GetString();
}
