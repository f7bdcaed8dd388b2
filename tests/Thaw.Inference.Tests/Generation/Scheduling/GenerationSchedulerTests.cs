using Microsoft.Extensions.Time.Testing;
using Thaw.Inference.Batching;
using Thaw.Inference.Generation.Sampling;
using Thaw.Inference.Generation.Scheduling;

namespace Thaw.Inference.Tests.Generation.Scheduling;

public sealed class GenerationSchedulerTests : IAsyncDisposable
{
    private const int Vocab = 97;
    private readonly FakeTimeProvider _time = new();
    private readonly List<GenerationScheduler> _schedulers = [];
    private readonly List<FakeDecoderSession> _sessions = [];

    public async ValueTask DisposeAsync()
    {
        foreach (GenerationScheduler scheduler in _schedulers)
        {
            await scheduler.DisposeAsync();
        }

        foreach (FakeDecoderSession session in _sessions)
        {
            session.Dispose();
        }
    }

    [Fact]
    public async Task Submit_WithOthersJoiningAndLeavingMidRun_EachGetsTheTokensItGetsAlone()
    {
        (int[] Prompt, int MaxTokens)[] cases = [(Prompt(1, 7), 20), (Prompt(2, 3), 6), (Prompt(3, 12), 9), (Prompt(4, 1), 15)];
        int[][] alone = await EachAloneAsync(cases.Select(c => Request(c.Prompt, c.MaxTokens)));

        FakeDecoderSession session = Session(slots: 4);
        GenerationScheduler scheduler = Create(session, budget: 5);
        using var leaving = new CancellationTokenSource();
        session.Hold = true;
        GenerationStream a = scheduler.Submit(Request(cases[0].Prompt, cases[0].MaxTokens));
        await session.NextRunAsync();
        GenerationStream b = scheduler.Submit(Request(cases[1].Prompt, cases[1].MaxTokens));
        GenerationStream leaver = scheduler.Submit(Request(Prompt(5, 4), 30), cancellationToken: leaving.Token);
        await StepAsync(session);
        await StepAsync(session);
        GenerationStream c = scheduler.Submit(Request(cases[2].Prompt, cases[2].MaxTokens));
        await StepAsync(session);
        await leaving.CancelAsync();
        GenerationStream d = scheduler.Submit(Request(cases[3].Prompt, cases[3].MaxTokens));
        session.Open();

        int[][] together = [await ReadAsync(a), await ReadAsync(b), await ReadAsync(c), await ReadAsync(d)];
        for (int i = 0; i < cases.Length; i++)
        {
            Assert.Equal(FakeDecoderSession.Predict(cases[i].Prompt, cases[i].MaxTokens, Vocab), alone[i]);
            Assert.Equal(alone[i], together[i]);
        }

        (int[] partial, Exception? error) = await ReadToEndAsync(leaver);
        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.Equal(FakeDecoderSession.Predict(Prompt(5, 4), 1, Vocab), partial);
        Assert.Contains(session.Runs, r => r.Index > 3 && r.Of(2) == new RecordedRow(2, 1, 0));
    }

    [Fact]
    public async Task Submit_SeededSamplersSharingSteps_EachGetsTheTokensItGetsAlone()
    {
        // The fake's one-hot logits at temperature 0.3 give its next token about a fifth of the mass: sampled
        // tokens change every later distribution, so any sharing of random state between rows would show.
        (int[] Prompt, long Seed)[] cases = [(Prompt(1, 7), 11), (Prompt(2, 3), 12), (Prompt(3, 12), 13)];
        int[][] alone = await EachAloneAsync(cases.Select(c => Seeded(c.Prompt, c.Seed)));

        FakeDecoderSession session = Session(slots: 4);
        GenerationScheduler scheduler = Create(session, budget: 5);
        session.Hold = true;
        GenerationStream a = scheduler.Submit(Seeded(cases[0].Prompt, cases[0].Seed));
        await session.NextRunAsync();
        GenerationStream b = scheduler.Submit(Seeded(cases[1].Prompt, cases[1].Seed));
        GenerationStream unseeded = scheduler.Submit(Sampled(Prompt(5, 4), new SamplingParameters()));
        await StepAsync(session);
        await StepAsync(session);
        GenerationStream c = scheduler.Submit(Seeded(cases[2].Prompt, cases[2].Seed));
        session.Open();

        int[][] together = [await ReadAsync(a), await ReadAsync(b), await ReadAsync(c)];
        await ReadAsync(unseeded);
        for (int i = 0; i < cases.Length; i++)
        {
            Assert.Equal(alone[i], together[i]);
            Assert.NotEqual(FakeDecoderSession.Predict(cases[i].Prompt, 16, Vocab), alone[i]);
        }
    }

    [Fact]
    public async Task Submit_WhileOthersRun_StartsAtTheNextStepNotWhenTheyFinish()
    {
        FakeDecoderSession session = Session(slots: 2);
        GenerationScheduler scheduler = Create(session);
        session.Hold = true;
        GenerationStream a = scheduler.Submit(Request(Prompt(1, 3), 10));
        await session.NextRunAsync();
        await StepAsync(session);

        GenerationStream b = scheduler.Submit(Request(Prompt(2, 4), 2));
        RecordedRun next = await StepAsync(session);

        Assert.Equal(new RecordedRow(0, 1, 4), next.Of(0));
        Assert.Equal(new RecordedRow(1, 4, 0), next.Of(1));
        session.Open();
        Assert.Equal(FakeDecoderSession.Predict(Prompt(2, 4), 2, Vocab), await ReadAsync(b));
        Assert.Equal(FakeDecoderSession.Predict(Prompt(1, 3), 10, Vocab), await ReadAsync(a));
    }

    [Fact]
    public async Task Prefill_LongPrompts_FeedsOldestFirstWithinTheBudgetBesideEveryDecodeRow()
    {
        FakeDecoderSession session = Session(slots: 3);
        GenerationScheduler scheduler = Create(session, budget: 4);
        session.Hold = true;
        GenerationStream a = scheduler.Submit(Request(Prompt(1, 2), 8));
        await session.NextRunAsync();
        GenerationStream b = scheduler.Submit(Request(Prompt(2, 10), 3));
        GenerationStream c = scheduler.Submit(Request(Prompt(3, 3), 3));

        RecordedRun[] runs = [await StepAsync(session), await StepAsync(session), await StepAsync(session), await StepAsync(session)];

        Assert.Equal(new[] { new RecordedRow(0, 1, 2), new RecordedRow(1, 4, 0) }, runs[0].Rows);
        Assert.Equal(new[] { new RecordedRow(0, 1, 3), new RecordedRow(1, 4, 4) }, runs[1].Rows);
        Assert.Equal(new[] { new RecordedRow(0, 1, 4), new RecordedRow(1, 2, 8), new RecordedRow(2, 2, 0) }, runs[2].Rows);
        Assert.Equal(new[] { new RecordedRow(0, 1, 5), new RecordedRow(1, 1, 10), new RecordedRow(2, 1, 2) }, runs[3].Rows);
        session.Open();
        Assert.Equal(FakeDecoderSession.Predict(Prompt(1, 2), 8, Vocab), await ReadAsync(a));
        Assert.Equal(FakeDecoderSession.Predict(Prompt(2, 10), 3, Vocab), await ReadAsync(b));
        Assert.Equal(FakeDecoderSession.Predict(Prompt(3, 3), 3, Vocab), await ReadAsync(c));
    }

    [Theory]
    [InlineData(BatchProfileKind.Interactive, new[] { 2, 2, 2, 2 })]
    [InlineData(BatchProfileKind.Bulk, new[] { 8 })]
    public async Task Prefill_ProfileOfTheRunningRequests_SetsTheBudget(BatchProfileKind profile, int[] chunks)
    {
        FakeDecoderSession session = Session(slots: 2);
        var options = new GenerationSchedulerOptions
        {
            Interactive = new SchedulingProfile { MaxPrefillTokensPerStep = 2 },
            Bulk = new SchedulingProfile { MaxPrefillTokensPerStep = 8 },
        };
        GenerationScheduler scheduler = Create(session, options);

        await ReadAsync(scheduler.Submit(Request(Prompt(1, 8), 1), profile));

        Assert.Equal(chunks, session.Runs.Select(r => r.Rows.Single().Tokens));
    }

    [Fact]
    public async Task Cancel_RunningRequest_FreesItsSlotAtTheNextStep()
    {
        FakeDecoderSession session = Session(slots: 1);
        using var client = new CancellationTokenSource();
        (GenerationStream a, GenerationStream b) = await RunningAndWaitingAsync(session, client.Token);
        await StepAsync(session);

        await client.CancelAsync();
        RecordedRun next = await StepAsync(session);

        Assert.Equal(new[] { new RecordedRow(0, 5, 0) }, next.Rows);
        Assert.Equal(new[] { 0 }, session.Resets);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => a.Completion);
        (int[] tokens, Exception? error) = await ReadToEndAsync(a);
        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.Single(tokens);
        session.Open();
        Assert.Equal(FakeDecoderSession.Predict(Prompt(2, 5), 2, Vocab), await ReadAsync(b));
    }

    [Fact]
    public async Task Stop_ByTheConsumer_EndsWithStopAndItsCountAndFreesTheSlotAtTheNextStep()
    {
        FakeDecoderSession session = Session(slots: 1);
        (GenerationStream a, GenerationStream b) = await RunningAndWaitingAsync(session);
        await StepAsync(session);

        SampledToken first = await a.Tokens.ReadAsync();
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Stop(2));
        a.Stop(1);
        RecordedRun next = await StepAsync(session);

        Assert.Equal(FakeDecoderSession.Predict(Prompt(1, 3), 1, Vocab)[0], first.Id);
        Assert.Equal(new GenerationResult(FinishReason.Stop, new GenerationUsage(3, 1)), await a.Completion);
        Assert.Equal(new[] { new RecordedRow(0, 5, 0) }, next.Rows);
        Assert.Equal(new[] { 0 }, session.Resets);
        session.Open();
        await ReadAsync(b);
    }

    [Fact]
    public async Task Dispose_StreamOfARunningRequest_FreesItsSlotAtTheNextStep()
    {
        FakeDecoderSession session = Session(slots: 1);
        (GenerationStream a, GenerationStream b) = await RunningAndWaitingAsync(session);

        a.Dispose();
        RecordedRun next = await StepAsync(session);

        Assert.Equal(new[] { new RecordedRow(0, 5, 0) }, next.Rows);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => a.Completion);
        session.Open();
        await ReadAsync(b);
    }

    [Fact]
    public async Task Cancel_WaitingRequest_LeavesTheQueueAtOnce()
    {
        FakeDecoderSession session = Session(slots: 1);
        GenerationScheduler scheduler = Create(session);
        using var client = new CancellationTokenSource();
        session.Hold = true;
        GenerationStream a = scheduler.Submit(Request(Prompt(1, 3), 2));
        await session.NextRunAsync();
        GenerationStream waiting = scheduler.Submit(Request(Prompt(2, 5), 2), cancellationToken: client.Token);
        Assert.Equal(1, scheduler.Statistics.Queued);

        await client.CancelAsync();

        Assert.Equal(0, scheduler.Statistics.Queued);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Completion);
        session.Open();
        await ReadAsync(a);
        await scheduler.DrainAsync();
        Assert.DoesNotContain(session.Runs, r => r.Rows.Any(row => row.Tokens == 5));
    }

    [Fact]
    public async Task Finish_AtMaxTokens_IsLengthWithUsage()
    {
        GenerationScheduler scheduler = Create(Session());

        GenerationStream stream = scheduler.Submit(Request(Prompt(1, 6), 4));

        Assert.Equal(FakeDecoderSession.Predict(Prompt(1, 6), 4, Vocab), await ReadAsync(stream));
        Assert.Equal(new GenerationResult(FinishReason.Length, new GenerationUsage(6, 4)), await stream.Completion);
    }

    [Fact]
    public async Task Finish_AtEos_IsStopWithoutDeliveringTheEosTokenButCountingIt()
    {
        int[] prompt = Prompt(3, 4);
        int[] free = FakeDecoderSession.Predict(prompt, 10, Vocab);
        int eos = free[3];
        Assert.DoesNotContain(eos, free[..3]);
        GenerationScheduler scheduler = Create(Session());

        GenerationStream stream = scheduler.Submit(Request(prompt, 10, eos: [eos, Vocab - 1]));

        Assert.Equal(free[..3], await ReadAsync(stream));
        Assert.Equal(new GenerationResult(FinishReason.Stop, new GenerationUsage(4, 4)), await stream.Completion);
    }

    [Fact]
    public async Task Submit_PromptPlusMaxTokensOverTheContext_IsRefusedAndOneAtTheLimitRuns()
    {
        GenerationScheduler scheduler = Create(Session(contextLength: 16));

        var e = Assert.Throws<ContextLengthExceededException>(() => scheduler.Submit(Request(Prompt(1, 10), 7)));
        GenerationStream fits = scheduler.Submit(Request(Prompt(1, 10), 6));

        Assert.Equal((10, 7, 16), (e.PromptTokens, e.MaxTokens, e.ContextLength));
        Assert.Equal(6, (await ReadAsync(fits)).Length);
        Assert.Equal(FinishReason.Length, (await fits.Completion).FinishReason);
    }

    [Fact]
    public void Submit_InvalidRequest_IsRefusedAtTheBoundary()
    {
        GenerationScheduler scheduler = Create(Session());

        Assert.Throws<ArgumentException>(() => scheduler.Submit(Request([], 4)));
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.Submit(Request(Prompt(1, 3), 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.Submit(Request([1, Vocab], 4)));
    }

    [Fact]
    public async Task Submit_QueueFull_IsRefusedAsOverloaded()
    {
        FakeDecoderSession session = Session(slots: 1);
        GenerationScheduler scheduler = Create(session, new GenerationSchedulerOptions
        {
            Interactive = new SchedulingProfile { MaxQueuedRequests = 1, OverloadRetryAfter = TimeSpan.FromSeconds(3) },
        });
        session.Hold = true;
        GenerationStream running = scheduler.Submit(Request(Prompt(1, 3), 2));
        await session.NextRunAsync();
        GenerationStream waiting = scheduler.Submit(Request(Prompt(2, 3), 2));

        var e = Assert.Throws<OverloadedException>(() => scheduler.Submit(Request(Prompt(3, 3), 2)));

        Assert.Equal(TimeSpan.FromSeconds(3), e.RetryAfter);
        Assert.Equal(1, scheduler.Statistics.Rejected);
        Assert.Equal(1, scheduler.Statistics.Queued);
        GenerationStream bulk = scheduler.Submit(Request(Prompt(4, 3), 2), BatchProfileKind.Bulk);
        session.Open();
        await Task.WhenAll(ReadAsync(running), ReadAsync(waiting), ReadAsync(bulk));
    }

    [Fact]
    public async Task Submit_IdleModelWithFreeSlots_DoesNotCountRequestsAboutToBeAdmittedAsQueued()
    {
        FakeDecoderSession session = Session(slots: 3);
        GenerationScheduler scheduler = Create(session, new GenerationSchedulerOptions { Interactive = new SchedulingProfile { MaxQueuedRequests = 1 } });
        session.Hold = true;

        GenerationStream[] streams = [.. Enumerable.Range(1, 4).Select(i => scheduler.Submit(Request(Prompt(i, 3), 2)))];

        Assert.Throws<OverloadedException>(() => scheduler.Submit(Request(Prompt(5, 3), 2)));
        session.Open();
        await Task.WhenAll(streams.Select(ReadAsync));
    }

    [Fact]
    public async Task Run_BackendThrows_FailsEveryRunningRequestAndServesTheWaitingAndLaterOnes()
    {
        FakeDecoderSession session = Session(slots: 2);
        session.FailingRuns.Add(3);
        GenerationScheduler scheduler = Create(session);
        await HoldTheLoopAsync(scheduler, session);
        GenerationStream a = scheduler.Submit(Request(Prompt(1, 3), 10));
        GenerationStream b = scheduler.Submit(Request(Prompt(2, 3), 10));
        await StepAsync(session);
        await StepAsync(session);
        GenerationStream waiting = scheduler.Submit(Request(Prompt(3, 3), 4));

        session.Open();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => a.Completion);
        Assert.Equal("The device failed.", error.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => b.Completion);
        (int[] partial, Exception? readError) = await ReadToEndAsync(a);
        Assert.Same(error, readError);
        Assert.Equal(2, partial.Length);
        Assert.Equal(FakeDecoderSession.Predict(Prompt(3, 3), 4, Vocab), await ReadAsync(waiting));
        Assert.Equal(FakeDecoderSession.Predict(Prompt(4, 3), 4, Vocab), await ReadAsync(scheduler.Submit(Request(Prompt(4, 3), 4))));
        Assert.Equal(new[] { 0, 1 }, session.Resets.Skip(1).Take(2).Order());
    }

    [Fact]
    public async Task Sampler_Throws_FailsOnlyItsRequest()
    {
        GenerationScheduler scheduler = Create(Session(slots: 2));

        GenerationStream failing = scheduler.Submit(new GenerationRequest { PromptTokens = Prompt(1, 3), MaxTokens = 6, Sampler = new GreedySampler { FailAt = 3 } });
        GenerationStream neighbour = scheduler.Submit(Request(Prompt(2, 3), 6));

        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.Completion);
        Assert.Equal(FakeDecoderSession.Predict(Prompt(2, 3), 6, Vocab), await ReadAsync(neighbour));
    }

    [Fact]
    public async Task DisposeAsync_WithRequestsInFlight_FailsThemAsClosedAndStopsCallingTheSession()
    {
        FakeDecoderSession session = Session(slots: 2);
        GenerationScheduler scheduler = Create(session);
        await HoldTheLoopAsync(scheduler, session);
        GenerationStream a = scheduler.Submit(Request(Prompt(1, 3), 10));
        GenerationStream b = scheduler.Submit(Request(Prompt(2, 3), 10));
        GenerationStream waiting = scheduler.Submit(Request(Prompt(3, 3), 10));
        await StepAsync(session);

        await scheduler.DisposeAsync();

        foreach (GenerationStream stream in new[] { a, b, waiting })
        {
            await Assert.ThrowsAsync<BatcherClosedException>(() => stream.Completion);
        }

        Assert.Throws<BatcherClosedException>(() => scheduler.Submit(Request(Prompt(4, 3), 2)));
        Assert.Equal(2, session.Runs.Count);
        Assert.Equal(new[] { 0, 1 }, session.Resets.Skip(1).Order());
    }

    [Fact]
    public async Task DrainAsync_FinishesRunningAndWaitingRequestsAndRefusesNewOnes()
    {
        FakeDecoderSession session = Session(slots: 1);
        GenerationScheduler scheduler = Create(session);
        session.Hold = true;
        GenerationStream running = scheduler.Submit(Request(Prompt(1, 3), 3));
        await session.NextRunAsync();
        GenerationStream waiting = scheduler.Submit(Request(Prompt(2, 3), 3));

        Task drain = scheduler.DrainAsync();

        Assert.Throws<BatcherClosedException>(() => scheduler.Submit(Request(Prompt(3, 3), 2)));
        Assert.False(drain.IsCompleted);
        session.Open();
        await drain;
        Assert.Equal(FinishReason.Length, (await running.Completion).FinishReason);
        Assert.Equal(FinishReason.Length, (await waiting.Completion).FinishReason);
    }

    [Theory]
    [InlineData(SchedulingMode.Continuous, 1)]
    [InlineData(SchedulingMode.Static, 5)]
    public async Task Mode_RequestArrivingMidRun_JoinsAtTheNextStepOnlyWhenContinuous(SchedulingMode mode, int joinsAtRun)
    {
        FakeDecoderSession session = Session(slots: 2);
        GenerationScheduler scheduler = Create(session, new GenerationSchedulerOptions { Mode = mode });
        session.Hold = true;
        GenerationStream a = scheduler.Submit(Request(Prompt(1, 3), 5));
        await session.NextRunAsync();

        GenerationStream b = scheduler.Submit(Request(Prompt(2, 4), 3));
        session.Open();

        Assert.Equal(FakeDecoderSession.Predict(Prompt(1, 3), 5, Vocab), await ReadAsync(a));
        Assert.Equal(FakeDecoderSession.Predict(Prompt(2, 4), 3, Vocab), await ReadAsync(b));
        int joined = session.Runs.First(r => r.Rows.Any(row => row is { Tokens: 4, Start: 0 })).Index;
        Assert.Equal(joinsAtRun, joined);
    }

    [Fact]
    public async Task Mode_Static_AdmitsEveryWaitingRequestTogetherOnceTheBatchDrains()
    {
        FakeDecoderSession session = Session(slots: 3);
        GenerationScheduler scheduler = Create(session, new GenerationSchedulerOptions { Mode = SchedulingMode.Static });
        session.Hold = true;
        GenerationStream first = scheduler.Submit(Request(Prompt(1, 2), 2));
        await session.NextRunAsync();
        GenerationStream[] later = [.. Enumerable.Range(2, 4).Select(i => scheduler.Submit(Request(Prompt(i, 2), 2)))];
        session.Open();

        await Task.WhenAll([ReadAsync(first), .. later.Select(ReadAsync)]);

        Assert.Equal(new[] { 1, 1, 3, 3, 1, 1 }, session.Runs.Select(r => r.Rows.Count));
    }

    [Fact]
    public async Task Profiles_WaitingInteractiveRequests_GoBeforeBulkOnesAndBulkKeepsToItsSlots()
    {
        FakeDecoderSession session = Session(slots: 3);
        GenerationScheduler scheduler = Create(session, new GenerationSchedulerOptions { Bulk = new SchedulingProfile { MaxSlots = 2 } });
        await HoldTheLoopAsync(scheduler, session);
        GenerationStream[] bulk = [.. Enumerable.Range(1, 3).Select(i => scheduler.Submit(Request(Prompt(i, 2), 4), BatchProfileKind.Bulk))];
        RecordedRun first = await StepAsync(session);
        GenerationStream person = scheduler.Submit(Request(Prompt(9, 5), 2));

        RecordedRun next = await StepAsync(session);

        Assert.Equal(new[] { 0, 1 }, first.Rows.Select(r => r.Slot));
        Assert.Equal(new RecordedRow(2, 5, 0), next.Of(2));
        Assert.Equal(1, scheduler.Statistics.Queued);
        session.Open();
        await Task.WhenAll([ReadAsync(person), .. bulk.Select(ReadAsync)]);
    }

    [Fact]
    public void Constructor_ProfileWantsMoreSlotsThanTheModelHas_NamesTheKey()
    {
        var e = Assert.Throws<ArgumentException>(() => Create(Session(slots: 4), new GenerationSchedulerOptions { Bulk = new SchedulingProfile { MaxSlots = 5 } }));

        Assert.Contains("Bulk:MaxSlots", e.Message, StringComparison.Ordinal);
    }

    private static int[] Prompt(int seed, int length) => [.. Enumerable.Range(0, length).Select(i => (seed * 31 + i * 7 + 1) % Vocab)];

    /// <summary>Runs each request by itself on a one-slot session: what it must get when it shares steps.</summary>
    private async Task<int[][]> EachAloneAsync(IEnumerable<GenerationRequest> requests)
    {
        var alone = new List<int[]>();
        foreach (GenerationRequest request in requests)
        {
            alone.Add(await ReadAsync(Create(Session(slots: 1), budget: 5).Submit(request)));
        }

        return [.. alone];
    }

    private static GenerationRequest Seeded(int[] prompt, long seed) => Sampled(prompt, new SamplingParameters { Temperature = 0.3, Seed = seed });

    private static GenerationRequest Sampled(int[] prompt, SamplingParameters parameters) =>
        new() { PromptTokens = prompt, MaxTokens = 16, Sampler = new TokenSampler(parameters, Vocab) };

    private static GenerationRequest Request(int[] prompt, int maxTokens, int[]? eos = null) =>
        new() { PromptTokens = prompt, MaxTokens = maxTokens, Sampler = new GreedySampler(), EosTokenIds = eos ?? [] };

    /// <summary>On a one-slot session: a long request in its first (held) call, and a short one waiting for the slot.</summary>
    private async Task<(GenerationStream Running, GenerationStream Waiting)> RunningAndWaitingAsync(FakeDecoderSession session, CancellationToken cancellationToken = default)
    {
        GenerationScheduler scheduler = Create(session);
        session.Hold = true;
        GenerationStream running = scheduler.Submit(Request(Prompt(1, 3), 50), cancellationToken: cancellationToken);
        await session.NextRunAsync();
        return (running, scheduler.Submit(Request(Prompt(2, 5), 2), cancellationToken: CancellationToken.None));
    }

    /// <summary>
    /// Holds the loop inside a call for a one-token request, so that the requests submitted next all wait for the
    /// same step (the loop would otherwise admit the first before the others arrive).
    /// </summary>
    private static async Task HoldTheLoopAsync(GenerationScheduler scheduler, FakeDecoderSession session)
    {
        session.Hold = true;
        scheduler.Submit(Request(Prompt(99, 1), 1));
        await session.NextRunAsync();
    }

    /// <summary>Lets the held call finish and returns the next one, held in its turn.</summary>
    private static async Task<RecordedRun> StepAsync(FakeDecoderSession session)
    {
        session.Release();
        return await session.NextRunAsync();
    }

    private static async Task<int[]> ReadAsync(GenerationStream stream)
    {
        var ids = new List<int>();
        using var hung = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (SampledToken token in stream.Tokens.ReadAllAsync(hung.Token))
        {
            ids.Add(token.Id);
        }

        return [.. ids];
    }

    private static async Task<(int[] Tokens, Exception? Error)> ReadToEndAsync(GenerationStream stream)
    {
        var ids = new List<int>();
        using var hung = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await foreach (SampledToken token in stream.Tokens.ReadAllAsync(hung.Token))
            {
                ids.Add(token.Id);
            }
        }
        catch (Exception e)
        {
            return ([.. ids], e);
        }

        return ([.. ids], null);
    }

    private FakeDecoderSession Session(int slots = 4, int contextLength = 64)
    {
        var session = new FakeDecoderSession(slots, contextLength, Vocab, _time);
        _sessions.Add(session);
        return session;
    }

    private GenerationScheduler Create(FakeDecoderSession session, int budget) =>
        Create(session, new GenerationSchedulerOptions
        {
            Interactive = new SchedulingProfile { MaxPrefillTokensPerStep = budget },
            Bulk = new SchedulingProfile { MaxPrefillTokensPerStep = budget },
        });

    private GenerationScheduler Create(FakeDecoderSession session, GenerationSchedulerOptions? options = null)
    {
        var scheduler = new GenerationScheduler("test-model", session, options ?? new GenerationSchedulerOptions(), _time);
        _schedulers.Add(scheduler);
        return scheduler;
    }
}
