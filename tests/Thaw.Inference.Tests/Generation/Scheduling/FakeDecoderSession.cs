using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Thaw.Inference.Generation.Decoding;

namespace Thaw.Inference.Tests.Generation.Scheduling;

/// <summary>
/// Stands in for a decoder with a KV cache: each slot keeps its token history, and the logits at a row's last token
/// are one-hot at <see cref="NextToken"/> of the slot's whole history, so a greedy sampler's tokens are predictable
/// and any mistake in chunking, slot bookkeeping or resets changes them. It refuses what a real cache cannot do
/// (a slot twice in one call, overflowing the context, concurrent calls), records every call, and can hold each
/// call until the test releases it so that requests arrive at a known step.
/// </summary>
internal sealed class FakeDecoderSession : IDecoderSession
{
    private readonly List<int>[] _history;
    private readonly Channel<RecordedRun> _started = Channel.CreateUnbounded<RecordedRun>();
    private readonly SemaphoreSlim _release = new(0);
    private readonly FakeTimeProvider? _time;
    private int _inCall;
    private volatile bool _hold;

    public FakeDecoderSession(int slots = 4, int contextLength = 64, int vocabSize = 97, FakeTimeProvider? time = null)
    {
        Slots = slots;
        ContextLength = contextLength;
        VocabSize = vocabSize;
        _time = time;
        _history = [.. Enumerable.Range(0, slots).Select(_ => new List<int>())];
    }

    public string ExecutionProvider => "Fake";

    public int Slots { get; }

    public int ContextLength { get; }

    public int VocabSize { get; }

    public long CacheBytes => (long)Slots * ContextLength * sizeof(int);

    /// <summary>Every call, in order.</summary>
    public List<RecordedRun> Runs { get; } = [];

    /// <summary>Every reset, in order.</summary>
    public List<int> Resets { get; } = [];

    /// <summary>How much the fake clock advances during each call (a step's duration).</summary>
    public TimeSpan StepDuration { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Calls (by index, from 0) that throw.</summary>
    public HashSet<int> FailingRuns { get; } = [];

    /// <summary>Whether each call waits for <see cref="Release"/>.</summary>
    public bool Hold
    {
        get => _hold;
        set => _hold = value;
    }

    /// <summary>The next token after <paramref name="history"/>: an FNV-1a hash of the whole history.</summary>
    public static int NextToken(IEnumerable<int> history, int vocabSize)
    {
        uint hash = 2166136261;
        foreach (int token in history)
        {
            hash = (hash ^ (uint)token) * 16777619;
        }

        return (int)(hash % (uint)vocabSize);
    }

    /// <summary>What greedy decoding produces for a prompt, alone: the oracle for every scheduling test.</summary>
    public static int[] Predict(int[] prompt, int maxTokens, int vocabSize, IReadOnlyCollection<int>? eos = null)
    {
        var history = new List<int>(prompt);
        var generated = new List<int>();
        while (generated.Count < maxTokens)
        {
            int next = NextToken(history, vocabSize);
            if (eos?.Contains(next) == true)
            {
                break;
            }

            generated.Add(next);
            history.Add(next);
        }

        return [.. generated];
    }

    public int LengthOf(int slot) => _history[slot].Count;

    public void Run(IReadOnlyList<DecoderInput> inputs, Span<float> logits, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _inCall, 1) != 0)
        {
            throw new InvalidOperationException("Concurrent calls to one decoder session.");
        }

        try
        {
            var run = new RecordedRun(Runs.Count, [.. inputs.Select(i => new RecordedRow(i.Slot, i.Tokens.Length, _history[i.Slot].Count))]);
            Runs.Add(run);
            if (inputs.Select(i => i.Slot).Distinct().Count() != inputs.Count)
            {
                throw new InvalidOperationException("A slot appears twice in one call.");
            }

            if (logits.Length != inputs.Count * VocabSize)
            {
                throw new InvalidOperationException($"Logits of {logits.Length} floats for {inputs.Count} rows.");
            }

            _started.Writer.TryWrite(run);
            if (_hold)
            {
                _release.Wait(cancellationToken);
            }

            _time?.Advance(StepDuration);
            if (FailingRuns.Contains(run.Index))
            {
                throw new InvalidOperationException("The device failed.");
            }

            for (int i = 0; i < inputs.Count; i++)
            {
                List<int> history = _history[inputs[i].Slot];
                if (history.Count + inputs[i].Tokens.Length > ContextLength)
                {
                    throw new InvalidOperationException($"Slot {inputs[i].Slot} overflows its {ContextLength} tokens.");
                }

                history.AddRange(inputs[i].Tokens.Span);
                Span<float> row = logits.Slice(i * VocabSize, VocabSize);
                row.Clear();
                row[NextToken(history, VocabSize)] = 1;
            }
        }
        finally
        {
            Volatile.Write(ref _inCall, 0);
        }
    }

    public void Reset(int slot)
    {
        Resets.Add(slot);
        _history[slot].Clear();
    }

    /// <summary>The next call to start (a real-time bound only guards against a hung test).</summary>
    public async Task<RecordedRun> NextRunAsync() => await _started.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Lets the held call finish.</summary>
    public void Release() => _release.Release();

    /// <summary>Stops holding calls and lets the held one finish.</summary>
    public void Open()
    {
        _hold = false;
        _release.Release();
    }

    public void Dispose() => _release.Dispose();
}
