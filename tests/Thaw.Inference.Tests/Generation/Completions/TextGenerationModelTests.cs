using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.Generation;
using Thaw.Inference.Generation.Completions;
using Thaw.Inference.Generation.Sampling;
using Thaw.Inference.Generation.Scheduling;
using Thaw.Inference.Tests.Generation.Scheduling;
using Thaw.Testing;

namespace Thaw.Inference.Tests.Generation.Completions;

public sealed class TextGenerationModelTests : IAsyncLifetime
{
    private const int Vocab = 97;
    private static readonly SamplingParameters Greedy = new() { Temperature = 0 };
    private readonly LetterTokenizer _tokenizer = new(Vocab);
    private readonly List<TextGenerationModel> _models = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (TextGenerationModel model in _models)
        {
            await model.DisposeAsync();
        }
    }

    [Fact]
    public async Task CollectAsync_Greedy_TextIsTheSampledTokensAndUsageCountsThem()
    {
        (TextGenerationModel model, _) = Create();

        using TextCompletion completion = model.Start(model.EncodePrompt("hello"), new CompletionSettings { MaxTokens = 12, Sampling = Greedy, Logprobs = true });
        CompletedText result = await completion.CollectAsync();

        CompletedChoice choice = Assert.Single(result.Choices);
        int[] expected = ExpectedTokens("hello", 12);
        Assert.Equal(expected, choice.Tokens.Select(t => t.Id));
        Assert.Equal(LetterTokenizer.TextOf(expected), choice.Text);
        Assert.Equal(FinishReason.Length, choice.FinishReason);
        Assert.Equal(new GenerationUsage(5, 12), result.Usage);
        // One-hot logits: the sampled token holds all the mass but for e^0 shared by the 96 others.
        Assert.All(choice.Tokens, t => Assert.Equal(-Math.Log(1 + ((Vocab - 1) / Math.E)), t.Logprob, 4));
    }

    [Fact]
    public async Task CollectAsync_StopSequenceAcrossTokens_TextEndsBeforeItAndTheSlotIsFreed()
    {
        (TextGenerationModel model, _) = Create();
        string full = LetterTokenizer.TextOf(ExpectedTokens("hello", 12));
        string stop = full[4..7];
        int at = full.IndexOf(stop, StringComparison.Ordinal);

        using TextCompletion completion = model.Start(model.EncodePrompt("hello"), new CompletionSettings { MaxTokens = 12, Sampling = Greedy, Stop = [stop] });
        CompletedText result = await completion.CollectAsync();

        CompletedChoice choice = Assert.Single(result.Choices);
        Assert.Equal(full[..at], choice.Text);
        Assert.Equal(FinishReason.Stop, choice.FinishReason);
        Assert.Equal(at + stop.Length, result.Usage.CompletionTokens);
        Assert.Empty(choice.Tokens);
        await Eventually.WaitUntilAsync(() => model.Scheduler.Statistics.Running == 0);
    }

    [Fact]
    public async Task ReadAllAsync_ThreeChoices_EachChoiceEndsOnceWithItsReasonAndTheTextOfCollect()
    {
        (TextGenerationModel model, _) = Create();
        var text = new System.Text.StringBuilder[3];
        var ends = new List<int>();
        for (int i = 0; i < text.Length; i++)
        {
            text[i] = new System.Text.StringBuilder();
        }

        using TextCompletion completion = model.Start(model.EncodePrompt("abc"), new CompletionSettings { MaxTokens = 6, Choices = 3, Sampling = Greedy });
        await foreach (CompletionDelta delta in completion.ReadAllAsync())
        {
            Assert.DoesNotContain(delta.Choice, ends);
            text[delta.Choice].Append(delta.Text);
            if (delta.FinishReason is not null)
            {
                ends.Add(delta.Choice);
            }
        }

        Assert.Equal([0, 1, 2], ends.Order());
        Assert.All(text, t => Assert.Equal(LetterTokenizer.TextOf(ExpectedTokens("abc", 6)), t.ToString()));
        Assert.Equal(new GenerationUsage(3, 18), await completion.GetUsageAsync());
    }

    [Fact]
    public void Start_PromptPlusMaxTokensOverTheContext_ThrowsAndQueuesNothing()
    {
        (TextGenerationModel model, _) = Create(contextLength: 16);

        Assert.Throws<ContextLengthExceededException>(() => model.Start(model.EncodePrompt("hello"), new CompletionSettings { MaxTokens = 12 }));

        Assert.Equal(0, model.Scheduler.Statistics.Queued + model.Scheduler.Statistics.Running);
    }

    [Theory]
    [InlineData(0, 1, "max_tokens")]
    [InlineData(4, 0, "n")]
    [InlineData(4, CompletionSettings.MaxChoices + 1, "n")]
    public void Start_SettingOutOfRange_NamesTheOpenAiField(int maxTokens, int choices, string field)
    {
        (TextGenerationModel model, _) = Create();

        var e = Assert.ThrowsAny<ArgumentException>(() => model.Start(model.EncodePrompt("hi"), new CompletionSettings { MaxTokens = maxTokens, Choices = choices }));

        Assert.Equal(field, e.ParamName);
    }

    [Fact]
    public async Task Start_MoreChoicesThanTheQueueTakesNow_RefusesAllAndQueuesNone()
    {
        (TextGenerationModel model, FakeDecoderSession session) = Create(slots: 1, queued: 2);
        session.Hold = true;
        using TextCompletion running = model.Start(model.EncodePrompt("hi"), new CompletionSettings { MaxTokens = 40, Sampling = Greedy });
        await session.NextRunAsync();

        // The slot is taken and two may wait: three choices fit the model (capacity 3) but not its queue now.
        Assert.Throws<OverloadedException>(() => model.Start(model.EncodePrompt("hi"), new CompletionSettings { MaxTokens = 4, Choices = 3 }));

        Assert.Equal(0, model.Scheduler.Statistics.Queued);
        session.Open();
    }

    [Fact]
    public void Start_MoreChoicesThanTheModelCanEverHold_IsABadNNotOverloaded()
    {
        (TextGenerationModel model, FakeDecoderSession session) = Create(slots: 1, queued: 1);
        session.Hold = true;

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Start(model.EncodePrompt("hi"), new CompletionSettings { MaxTokens = 4, Choices = 3 }));

        Assert.Equal("n", e.ParamName);
        Assert.Contains("at most 2 sequences", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, model.Scheduler.Statistics.Queued);
        Assert.Equal(2, model.Scheduler.Capacity(BatchProfileKind.Interactive));
        session.Open();
    }

    [Fact]
    public async Task Dispose_MidStream_FreesTheSlotsForTheNextRequest()
    {
        (TextGenerationModel model, FakeDecoderSession session) = Create(slots: 1);
        session.Hold = true;
        TextCompletion first = model.Start(model.EncodePrompt("hi"), new CompletionSettings { MaxTokens = 40, Sampling = Greedy });
        await session.NextRunAsync();
        session.Release();
        await session.NextRunAsync();
        await using (IAsyncEnumerator<CompletionDelta> deltas = first.ReadAllAsync().GetAsyncEnumerator())
        {
            Assert.True(await deltas.MoveNextAsync());
        }

        first.Dispose();
        session.Open();
        using TextCompletion second = model.Start(model.EncodePrompt("hi"), new CompletionSettings { MaxTokens = 3, Sampling = Greedy });
        CompletedText result = await second.CollectAsync();

        Assert.Equal(3, result.Usage.CompletionTokens);
        Assert.True(session.Runs.Count < 40, $"The abandoned request ran {session.Runs.Count} steps.");
    }

    [Fact]
    public void EncodeChat_ModelWithoutATemplate_SaysToUseCompletions()
    {
        (TextGenerationModel model, _) = Create();

        var e = Assert.Throws<InvalidOperationException>(() => model.EncodeChat([Thaw.Inference.Generation.Templates.ChatMessage.FromText("user", "hi")]));

        Assert.Contains("/v1/completions", e.Message, StringComparison.Ordinal);
    }

    /// <summary>What a greedy sampler picks from the fake decoder after the prompt, stopping at the end-of-sequence token.</summary>
    private int[] ExpectedTokens(string prompt, int count)
    {
        var history = new List<int>(_tokenizer.Encode(prompt, addSpecialTokens: true));
        var tokens = new List<int>();
        while (tokens.Count < count)
        {
            int next = FakeDecoderSession.NextToken(history, Vocab);
            Assert.NotEqual(_tokenizer.EndOfSequence, next);
            tokens.Add(next);
            history.Add(next);
        }

        return [.. tokens];
    }

    private (TextGenerationModel Model, FakeDecoderSession Session) Create(int slots = 4, int contextLength = 64, int queued = 256)
    {
        var session = new FakeDecoderSession(slots, contextLength, Vocab);
        var manifest = new ModelManifest
        {
            Id = "letters",
            Task = ModelTask.TextGeneration,
            License = "MIT",
            Source = new ModelSourceSpec { Kind = "path", Path = "." },
            Files = [],
            Tokenizer = new TokenizerSpec { Kind = "byte-level-bpe" },
            Pooling = PoolingKind.Mean,
            MaxTokens = contextLength,
            Dimensions = 1,
        };
        var scheduling = new GenerationSchedulerOptions { Interactive = new SchedulingProfile { MaxQueuedRequests = queued } };
        var model = new TextGenerationModel(manifest, _tokenizer, chatTemplate: null, session, [_tokenizer.EndOfSequence], scheduling, TimeProvider.System);
        _models.Add(model);
        return (model, session);
    }
}
