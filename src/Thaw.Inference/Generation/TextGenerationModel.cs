using Microsoft.Extensions.Logging;
using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.Generation.Completions;
using Thaw.Inference.Generation.Decoding;
using Thaw.Inference.Generation.Sampling;
using Thaw.Inference.Generation.Scheduling;
using Thaw.Inference.Generation.Templates;
using Thaw.Inference.Generation.Tokenizers;
using Thaw.Inference.Models;

namespace Thaw.Inference.Generation;

/// <summary>
/// A loaded text-generation model: tokenizer, chat template, decoder session with its KV cache, and the one scheduler
/// through which every request and batch line shares decode steps. What both OpenAI routes and the batch lines call.
/// </summary>
public sealed class TextGenerationModel : ILoadedModel
{
    private readonly IDecoderSession _session;
    private readonly IReadOnlyCollection<int> _endOfSequence;
    private int _disposed;

    /// <param name="manifest">The model's catalog entry.</param>
    /// <param name="tokenizer">Its tokenizer.</param>
    /// <param name="chatTemplate">Its chat template; null for a model that only completes text (chat is then refused).</param>
    /// <param name="session">The decoder; the model owns it from here and disposes it.</param>
    /// <param name="endOfSequenceIds">Tokens that end a sequence (EOS, and a template's end-of-turn token such as <c>&lt;|im_end|&gt;</c>).</param>
    /// <param name="scheduling">The scheduler's mode and profiles.</param>
    /// <param name="timeProvider">The clock for the scheduler's latency measurements.</param>
    /// <param name="metrics">Where generation metrics go; null records none.</param>
    /// <param name="logger">Where the scheduler logs backend failures.</param>
    /// <exception cref="ArgumentException">A scheduling setting is out of range for this session.</exception>
    public TextGenerationModel(
        ModelManifest manifest,
        ITextTokenizer tokenizer,
        IChatTemplate? chatTemplate,
        IDecoderSession session,
        IReadOnlyCollection<int> endOfSequenceIds,
        GenerationSchedulerOptions scheduling,
        TimeProvider timeProvider,
        GenerationMetrics? metrics = null,
        ILogger? logger = null)
    {
        Manifest = manifest;
        Tokenizer = tokenizer;
        ChatTemplate = chatTemplate;
        _session = session;
        _endOfSequence = endOfSequenceIds;
        Scheduler = new GenerationScheduler(manifest.Id, session, scheduling, timeProvider, metrics, logger);
    }

    public ModelManifest Manifest { get; }

    public ITextTokenizer Tokenizer { get; }

    public IChatTemplate? ChatTemplate { get; }

    public GenerationScheduler Scheduler { get; }

    public string Id => Manifest.Id;

    public ModelTask Task => Manifest.Task;

    /// <summary>The weights' files and the KV cache with every slot full.</summary>
    public long Bytes => Manifest.Files.Sum(f => f.Size) + _session.CacheBytes;

    public string ExecutionProvider => _session.ExecutionProvider;

    /// <summary>The most tokens (prompt and completion) one sequence holds.</summary>
    public int ContextLength => _session.ContextLength;

    /// <summary>The width of the model's logits: token ids (and <c>logit_bias</c> keys) are below it.</summary>
    public int VocabSize => _session.VocabSize;

    public bool IsBusy => Scheduler.Statistics is { Running: > 0 } or { Queued: > 0 };

    public ModelActivity GetActivity() => new GenerationActivity(Scheduler.Statistics, _session.Slots, ContextLength);

    /// <summary>The prompt of <c>/v1/completions</c>: the text as given, with the tokenizer's BOS when it has one.</summary>
    public IReadOnlyList<int> EncodePrompt(string prompt) => Tokenizer.Encode(prompt, addSpecialTokens: true);

    /// <summary>The prompt of <c>/v1/chat/completions</c>: the conversation through the model's chat template.</summary>
    /// <exception cref="InvalidOperationException">The model has no chat template.</exception>
    /// <exception cref="UnsupportedChatContentException">A message the template cannot render.</exception>
    public IReadOnlyList<int> EncodeChat(IReadOnlyList<ChatMessage> messages)
    {
        IChatTemplate template = ChatTemplate
            ?? throw new InvalidOperationException($"The model '{Id}' has no chat template: use /v1/completions, or name a template in its manifest.");

        // The template writes the framing (BOS where the family wants it) itself: add nothing (transformers' apply_chat_template).
        return Tokenizer.Encode(template.Render(messages, addGenerationPrompt: true), addSpecialTokens: false);
    }

    /// <summary>Starts generating <see cref="CompletionSettings.Choices"/> choices for the prompt.</summary>
    /// <param name="promptTokens">From <see cref="EncodePrompt"/> or <see cref="EncodeChat"/>; at least one token.</param>
    /// <param name="settings">Validated here against the model.</param>
    /// <param name="profile">Interactive for HTTP requests, bulk for batch lines.</param>
    /// <param name="cancellationToken">The client's: when it fires every choice ends and frees its slot.</param>
    /// <exception cref="ArgumentException">A setting is out of range (the parameter name is the OpenAI field).</exception>
    /// <exception cref="ContextLengthExceededException">The prompt plus <c>max_tokens</c> can never fit a slot.</exception>
    /// <exception cref="OverloadedException">The profile's queue cannot take <c>n</c> more sequences now; nothing was queued.</exception>
    /// <exception cref="BatcherClosedException">The model is unloading or the host is stopping.</exception>
    public TextCompletion Start(
        IReadOnlyList<int> promptTokens,
        CompletionSettings settings,
        BatchProfileKind profile = BatchProfileKind.Interactive,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(promptTokens);
        ArgumentNullException.ThrowIfNull(settings);
        if (promptTokens.Count == 0)
        {
            throw new ArgumentException("The prompt has no tokens; send at least one character.", "prompt");
        }

        settings.Validate(VocabSize);
        int capacity = Scheduler.Capacity(profile);
        if (settings.Choices > capacity)
        {
            // Not OverloadedException: waiting would never make room, so a retrying caller (a batch line) would retry forever.
            throw new ArgumentOutOfRangeException("n", settings.Choices,
                $"'n' is {settings.Choices}; this model holds at most {capacity} sequences at once for {(profile == BatchProfileKind.Bulk ? "batch jobs" : "requests")} (its slots plus the waiting queue), so the choices could never all start.");
        }

        ReadOnlyMemory<int> prompt = promptTokens.ToArray();
        var streams = new List<GenerationStream>(settings.Choices);
        try
        {
            for (int choice = 0; choice < settings.Choices; choice++)
            {
                streams.Add(Scheduler.Submit(new GenerationRequest
                {
                    PromptTokens = prompt,
                    MaxTokens = settings.MaxTokens,
                    Sampler = new TokenSampler(settings.Sampling, VocabSize, choice),
                    EosTokenIds = _endOfSequence,
                }, profile, cancellationToken));
            }
        }
        catch
        {
            // All choices or none: a refused one frees the slots of those already queued.
            streams.ForEach(s => s.Dispose());
            throw;
        }

        return new TextCompletion(Tokenizer, settings, streams);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // The pool unloads a model (evicted for another, idle past its keep-alive, the host stopping) with its accepted
            // work finished first, as an embedding model's batchers do: a stream evicted half-way would end in an error
            // event, and a whole answer would be generated again from the start. The requests that their callers give up
            // on (a client hanging up, a host's shutdown timeout aborting its connections) end at the next step.
            await Scheduler.DrainAsync().ConfigureAwait(false);
            await Scheduler.DisposeAsync().ConfigureAwait(false);
            _session.Dispose();
        }
    }
}
