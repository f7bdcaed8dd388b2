using Microsoft.Extensions.Time.Testing;
using Thaw.Inference.Batching;

namespace Thaw.Inference.Tests.Batching;

public sealed class MicroBatcherTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ScriptedRunner _runner = new();
    private MicroBatcher<Input, int>? _batcher;

    public async ValueTask DisposeAsync()
    {
        _runner.FirstBatchGate.TrySetResult();
        if (_batcher is not null)
        {
            await _batcher.DisposeAsync();
        }
    }

    [Fact]
    public async Task SubmitAsync_IdleModel_DispatchesTheFirstInputAtOnceWithoutWaitingForTheDelay()
    {
        MicroBatcher<Input, int> batcher = Create(new BatchingProfile { MaxBatchDelay = TimeSpan.FromHours(1) });
        _runner.FirstBatchGate.SetResult();

        int[] result = await batcher.SubmitAsync([new Input(7)]);

        Assert.Equal(new[] { 70 }, result);
        Assert.Equal(new[] { 7 }, await _runner.NextBatchAsync());
    }

    [Fact]
    public async Task SubmitAsync_IdleModelThatWaitsToFill_DispatchesAFullBatchAtOnceAndAPartialOneAfterTheDelay()
    {
        MicroBatcher<Input, int> batcher = Create(new BatchingProfile { MaxBatchSize = 3, MaxBatchDelay = TimeSpan.FromMilliseconds(50), DispatchWhenIdle = false });
        _runner.FirstBatchGate.SetResult();

        Task<int[]> lone = batcher.SubmitAsync([new Input(1)]);
        Assert.False(_runner.TryNextBatch(out _));
        Task<int[]> more = batcher.SubmitAsync([new Input(2), new Input(3), new Input(4)]);
        Assert.Equal(3, (await _runner.NextBatchAsync()).Length);
        Assert.False(_runner.TryNextBatch(out _));
        _time.Advance(TimeSpan.FromMilliseconds(50));

        Assert.Single(await _runner.NextBatchAsync());
        await Task.WhenAll(lone, more);
    }

    [Fact]
    public async Task SubmitAsync_WhileABatchRuns_LaterRequestsShareTheNextBatch()
    {
        MicroBatcher<Input, int> batcher = Create(new BatchingProfile());
        Task<int[]> first = batcher.SubmitAsync([new Input(1)]);
        Assert.Equal(new[] { 1 }, await _runner.NextBatchAsync());

        Task<int[]>[] later = [batcher.SubmitAsync([new Input(2)]), batcher.SubmitAsync([new Input(3)]), batcher.SubmitAsync([new Input(4)])];
        Assert.Equal(3, batcher.QueuedInputs);
        _runner.FirstBatchGate.SetResult();

        Assert.Equal(new[] { 2, 3, 4 }, (await _runner.NextBatchAsync()).Order());
        Assert.Equal(new[] { new[] { 10 }, new[] { 20 }, new[] { 30 }, new[] { 40 } }, await Task.WhenAll([first, .. later]));
        Assert.Equal(2.0, batcher.Statistics.MeanBatchSize);
    }

    [Fact]
    public async Task MaxBatchSize_ClosesTheBatch()
    {
        MicroBatcher<Input, int> batcher = Create(new BatchingProfile { MaxBatchSize = 2 });
        Task<int[]> first = batcher.SubmitAsync([new Input(1)]);
        await _runner.NextBatchAsync();

        Task<int[]> many = batcher.SubmitAsync([new Input(2), new Input(3), new Input(4), new Input(5), new Input(6)]);
        _runner.FirstBatchGate.SetResult();

        int[] sizes = [(await _runner.NextBatchAsync()).Length, (await _runner.NextBatchAsync()).Length, (await _runner.NextBatchAsync()).Length];
        Assert.Equal(new[] { 2, 2, 1 }, sizes);
        Assert.Equal(new[] { 20, 30, 40, 50, 60 }, await many);
        await first;
    }

    [Fact]
    public async Task MaxBatchTokens_ClosesTheBatchOnPaddedTokens()
    {
        MicroBatcher<Input, int> batcher = Create(new BatchingProfile { MaxBatchTokens = 20 });
        Task<int[]> first = batcher.SubmitAsync([new Input(1)]);
        await _runner.NextBatchAsync();

        Task<int[]> rest = batcher.SubmitAsync([new Input(2, 10), new Input(3, 10), new Input(4, 10)]);
        _runner.FirstBatchGate.SetResult();

        Assert.Equal(new[] { 2, 3 }, await _runner.NextBatchAsync());
        Assert.Equal(new[] { 4 }, await _runner.NextBatchAsync());
        await Task.WhenAll(first, rest);
    }

    [Fact]
    public async Task Select_GroupsInputsOfSimilarLength()
    {
        MicroBatcher<Input, int> batcher = Create(new BatchingProfile { MaxBatchSize = 2 });
        Task<int[]> first = batcher.SubmitAsync([new Input(1)]);
        await _runner.NextBatchAsync();

        Task<int[]> rest = batcher.SubmitAsync([new Input(2, 5), new Input(3, 50), new Input(4, 6), new Input(5, 48)]);
        _runner.FirstBatchGate.SetResult();

        Assert.Equal(new[] { 2, 4 }, await _runner.NextBatchAsync());
        Assert.Equal(new[] { 3, 5 }, await _runner.NextBatchAsync());
        await Task.WhenAll(first, rest);
    }

    [Fact]
    public async Task MaxBatchDelay_WithAFreeSlotWhileBusy_HoldsTheBatchUntilItsOldestInputIsDue()
    {
        MicroBatcher<Input, int> batcher = Create(new BatchingProfile { MaxConcurrentBatches = 2, MaxBatchDelay = TimeSpan.FromMilliseconds(10) });
        Task<int[]> first = batcher.SubmitAsync([new Input(1)]);
        await _runner.NextBatchAsync();

        Task<int[]> second = batcher.SubmitAsync([new Input(2)]);
        _time.Advance(TimeSpan.FromMilliseconds(9));
        Assert.Equal(1, batcher.QueuedInputs);
        Task<int[]> third = batcher.SubmitAsync([new Input(3)]);

        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(0, batcher.QueuedInputs);
        Assert.Equal(new[] { 2, 3 }, await _runner.NextBatchAsync());
        Assert.Equal(new[] { new[] { 20 }, new[] { 30 } }, await Task.WhenAll(second, third));
        _runner.FirstBatchGate.SetResult();
        await first;
    }

    [Fact]
    public async Task SubmitAsync_QueueFull_RefusesTheWholeRequestAsOverloaded()
    {
        MicroBatcher<Input, int> batcher = Create(new BatchingProfile { MaxQueuedInputs = 3, OverloadRetryAfter = TimeSpan.FromSeconds(4) });
        Task<int[]> first = batcher.SubmitAsync([new Input(1)]);
        await _runner.NextBatchAsync();
        Task<int[]> queued = batcher.SubmitAsync([new Input(2), new Input(3)]);

        var e = await Assert.ThrowsAsync<OverloadedException>(() => batcher.SubmitAsync([new Input(4), new Input(5)]));

        Assert.Equal(TimeSpan.FromSeconds(4), e.RetryAfter);
        Assert.Equal(2, batcher.QueuedInputs);
        Assert.Equal(2, batcher.Statistics.Rejected);
        _runner.FirstBatchGate.SetResult();
        await Task.WhenAll(first, queued);
    }

    [Fact]
    public async Task SubmitAsync_MoreInputsThanTheQueueHolds_IsRefusedAsTooLargeEvenWhenIdle()
    {
        MicroBatcher<Input, int> batcher = Create(new BatchingProfile { MaxQueuedInputs = 3 });

        // Not OverloadedException: retrying a request that can never fit only repeats the refusal.
        var e = await Assert.ThrowsAsync<TooManyInputsException>(() => batcher.SubmitAsync([new Input(1), new Input(2), new Input(3), new Input(4)]));

        Assert.Contains("at most 3 inputs", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, batcher.QueuedInputs);
        Assert.Equal(4, batcher.Statistics.Rejected);
    }

    [Fact]
    public async Task Cancellation_DropsTheRequestBeforeItsBatchRuns()
    {
        MicroBatcher<Input, int> batcher = Create(new BatchingProfile());
        Task<int[]> first = batcher.SubmitAsync([new Input(1)]);
        await _runner.NextBatchAsync();
        using var cancellation = new CancellationTokenSource();
        Task<int[]> cancelled = batcher.SubmitAsync([new Input(2)], cancellation.Token);
        Task<int[]> kept = batcher.SubmitAsync([new Input(3)]);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1, batcher.QueuedInputs);
        _runner.FirstBatchGate.SetResult();
        Assert.Equal(new[] { 3 }, await _runner.NextBatchAsync());
        Assert.Equal(new[] { 30 }, await kept);
        Assert.Equal(1, batcher.Statistics.Dropped);
        await first;
    }

    [Fact]
    public async Task FailingInput_GetsTheErrorAndItsBatchNeighboursStillGetResults()
    {
        MicroBatcher<Input, int> batcher = Create(new BatchingProfile());
        _runner.Poison.Add(13);
        Task<int[]> first = batcher.SubmitAsync([new Input(1)]);
        await _runner.NextBatchAsync();
        Task<int[]>[] requests = [.. new[] { 2, 13, 4, 5 }.Select(id => batcher.SubmitAsync([new Input(id)]))];

        _runner.FirstBatchGate.SetResult();

        Assert.Equal(new[] { 20 }, await requests[0]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => requests[1]);
        Assert.Equal(new[] { 40 }, await requests[2]);
        Assert.Equal(new[] { 50 }, await requests[3]);
        await first;
    }

    [Fact]
    public async Task DrainAsync_FinishesQueuedAndRunningWorkAndRefusesNewWork()
    {
        MicroBatcher<Input, int> batcher = Create(new BatchingProfile());
        Task<int[]> running = batcher.SubmitAsync([new Input(1)]);
        await _runner.NextBatchAsync();
        Task<int[]> queued = batcher.SubmitAsync([new Input(2)]);

        Task drain = batcher.DrainAsync();

        await Assert.ThrowsAsync<BatcherClosedException>(() => batcher.SubmitAsync([new Input(3)]));
        Assert.False(drain.IsCompleted);
        _runner.FirstBatchGate.SetResult();
        await drain;
        Assert.Equal(new[] { new[] { 10 }, new[] { 20 } }, await Task.WhenAll(running, queued));
    }

    [Fact]
    public async Task MaxBatchSizeOne_TurnsBatchingOff()
    {
        MicroBatcher<Input, int> batcher = Create(new BatchingProfile { MaxBatchSize = 1 });
        Task<int[]> first = batcher.SubmitAsync([new Input(1)]);
        await _runner.NextBatchAsync();
        Task<int[]> rest = batcher.SubmitAsync([new Input(2), new Input(3)]);

        _runner.FirstBatchGate.SetResult();

        Assert.Equal(new[] { 2 }, await _runner.NextBatchAsync());
        Assert.Equal(new[] { 3 }, await _runner.NextBatchAsync());
        await Task.WhenAll(first, rest);
        Assert.Equal(1.0, batcher.Statistics.MeanBatchSize);
    }

    private MicroBatcher<Input, int> Create(BatchingProfile profile) =>
        _batcher = new MicroBatcher<Input, int>("test-model", profile, i => i.Tokens, _runner.Run, _time);
}
