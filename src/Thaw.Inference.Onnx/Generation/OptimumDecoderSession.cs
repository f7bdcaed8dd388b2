using Microsoft.ML.OnnxRuntime;
using Thaw.Inference.Generation.Decoding;

namespace Thaw.Inference.Onnx.Generation;

/// <summary>
/// The compatibility path, for Hugging Face optimum / transformers.js <c>model.onnx</c> exports whose attention
/// Concats past and new K/V. Decoding rows share one left-padded batch cache (<see cref="ConcatCache"/>) with a
/// per-row mask and explicit position ids; a prompt prefills alone in a cache of its own.
/// </summary>
/// <remarks>
/// Copy costs, all in host memory (on CUDA, ONNX Runtime moves the cache to the device and back every step):
/// <list type="bullet">
/// <item>Every step: the graph's Concat writes a new present of the whole batch cache, rows × width × layers × 2 ×
/// kv_heads × head_dim elements, so a step costs memory traffic that grows with the longest sequence.</item>
/// <item>Admission (a slot's first one-token input) and retirement (<see cref="Reset"/>, applied at the next
/// step): the batch is repacked once per step that has either, copying every live token's K/V again and dropping
/// retired rows, pad columns and hole columns (the width becomes the longest live row).</item>
/// <item>A batched row that does not step while others do gets a masked hole column, dropped at the next repack.</item>
/// </list>
/// </remarks>
internal sealed class OptimumDecoderSession : IDecoderSession
{
    private readonly InferenceSession _session;
    private readonly DecoderGraph _graph;
    private readonly int[] _lengths;
    private readonly ConcatCache?[] _solo;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private ConcatCache _batch;
    private bool _retired;

    public OptimumDecoderSession(InferenceSession session, DecoderGraph graph, int slots, int contextLength, string executionProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(contextLength, 1);
        _session = session;
        _graph = graph;
        Slots = slots;
        ContextLength = contextLength;
        ExecutionProvider = executionProvider;
        _lengths = new int[slots];
        _solo = new ConcatCache?[slots];
        _batch = ConcatCache.Repack(graph, []);
        _inputNames = [
            "input_ids", "attention_mask", .. graph.HasPositionIds ? new[] { "position_ids" } : [],
            .. Enumerable.Range(0, graph.Layers).SelectMany(i => new[] { DecoderGraph.PastKey(i), DecoderGraph.PastValue(i) })];
        _outputNames = ["logits", .. Enumerable.Range(0, graph.Layers).SelectMany(i => new[] { DecoderGraph.PresentKey(i), DecoderGraph.PresentValue(i) })];
    }

    public string ExecutionProvider { get; }

    public int Slots { get; }

    public int ContextLength { get; }

    public int VocabSize => _graph.VocabSize;

    public long CacheBytes => _graph.BytesPerSlot(ContextLength) * Slots;

    public int LengthOf(int slot) => _lengths[slot];

    public void Reset(int slot)
    {
        _lengths[slot] = 0;
        _solo[slot]?.Dispose();
        _solo[slot] = null;
        int row = Array.IndexOf(_batch.Slots, slot);
        if (row >= 0)
        {
            _batch.Slots[row] = -1;
            _retired = true;
        }
    }

    public void Run(IReadOnlyList<DecoderInput> inputs, Span<float> logits, CancellationToken cancellationToken = default)
    {
        DecoderInputs.Validate(inputs, _lengths, ContextLength, logits.Length, VocabSize);
        var joining = new List<int>();
        for (int i = 0; i < inputs.Count; i++)
        {
            DecoderInput input = inputs[i];
            int row = Array.IndexOf(_batch.Slots, input.Slot);
            if (input.Tokens.Length > 1)
            {
                if (row >= 0)
                {
                    // More than one token for a batched row (unusual): take it out to run alone.
                    _solo[input.Slot] = ConcatCache.Repack(_graph, [(_batch, row)]);
                    _batch.Slots[row] = -1;
                    _retired = true;
                }

                ConcatCache solo = _solo[input.Slot] ?? Empty(input.Slot);
                int past = _lengths[input.Slot];
                _solo[input.Slot] = Step(solo, input.Tokens.Length, (r, t) => (input.Tokens.Span[t], true, past + t), logits.Slice(i * VocabSize, VocabSize), [0],
                    cancellationToken);
                _lengths[input.Slot] = past + input.Tokens.Length;
            }
            else if (row < 0)
            {
                joining.Add(input.Slot);
            }
        }

        if (joining.Count > 0 || _retired)
        {
            var rows = new List<(ConcatCache, int)>();
            for (int row = 0; row < _batch.Rows; row++)
            {
                if (_batch.Slots[row] >= 0)
                {
                    rows.Add((_batch, row));
                }
            }

            var joined = joining.Select(slot => _solo[slot] ?? Empty(slot)).ToList();
            rows.AddRange(joined.Select(cache => (cache, 0)));
            ConcatCache repacked = ConcatCache.Repack(_graph, rows);
            _batch.Dispose();
            joined.ForEach(cache => cache.Dispose());
            joining.ForEach(slot => _solo[slot] = null);
            _batch = repacked;
            _retired = false;
        }

        var stepping = new int[_batch.Rows];
        Array.Fill(stepping, -1);
        bool any = false;
        for (int i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].Tokens.Length == 1)
            {
                stepping[Array.IndexOf(_batch.Slots, inputs[i].Slot)] = i;
                any = true;
            }
        }

        if (!any)
        {
            return;
        }

        var targets = new float[_batch.Rows * VocabSize];
        IReadOnlyList<DecoderInput> all = inputs;
        _batch = Step(_batch, 1,
            (r, _) => stepping[r] < 0 ? (0, false, 0) : (all[stepping[r]].Tokens.Span[0], true, _lengths[_batch.Slots[r]]),
            targets, [.. Enumerable.Range(0, _batch.Rows)], cancellationToken);
        for (int r = 0; r < stepping.Length; r++)
        {
            if (stepping[r] >= 0)
            {
                targets.AsSpan(r * VocabSize, VocabSize).CopyTo(logits.Slice(stepping[r] * VocabSize, VocabSize));
                _lengths[inputs[stepping[r]].Slot]++;
            }
        }
    }

    public void Dispose()
    {
        _batch.Dispose();
        foreach (ConcatCache? solo in _solo)
        {
            solo?.Dispose();
        }

        _session.Dispose();
    }

    private ConcatCache Empty(int slot)
    {
        var solo = new ConcatCache(new Nothing(), [], [], 0, [], [slot]);
        return ConcatCache.Repack(_graph, [(solo, 0)]);
    }

    /// <summary>
    /// Appends <paramref name="sequence"/> columns to every row of <paramref name="cache"/> (token, whether the column
    /// is real, position per row and column), writes each row's last logits to <paramref name="logits"/> in row
    /// order, and returns the new cache, disposing the old one.
    /// </summary>
    private ConcatCache Step(ConcatCache cache, int sequence, Func<int, int, (int Token, bool Real, int Position)> column, Span<float> logits,
        int[] rows, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        int batch = cache.Rows;
        int width = cache.Width + sequence;
        var ids = new long[batch * sequence];
        var positions = new long[batch * sequence];
        var mask = new long[batch * width];
        for (int r = 0; r < batch; r++)
        {
            cache.Mask.AsSpan(r * cache.Width, cache.Width).CopyTo(mask.AsSpan(r * width));
            for (int t = 0; t < sequence; t++)
            {
                (int token, bool real, int position) = column(r, t);
                ids[(r * sequence) + t] = token;
                positions[(r * sequence) + t] = position;
                mask[(r * width) + cache.Width + t] = real ? 1 : 0;
            }
        }

        var inputs = new List<OrtValue>(_inputNames.Length);
        IDisposableReadOnlyCollection<OrtValue> results;
        try
        {
            inputs.Add(OrtValue.CreateTensorValueFromMemory(ids, [batch, sequence]));
            inputs.Add(OrtValue.CreateTensorValueFromMemory(mask, [batch, width]));
            if (_graph.HasPositionIds)
            {
                inputs.Add(OrtValue.CreateTensorValueFromMemory(positions, [batch, sequence]));
            }

            for (int layer = 0; layer < _graph.Layers; layer++)
            {
                inputs.Add(cache.Keys[layer]);
                inputs.Add(cache.Values[layer]);
            }

            results = CancellableRun.Invoke(options => _session.Run(options, _inputNames, inputs, _outputNames), "decoder step", cancellationToken);
        }
        finally
        {
            int owned = _graph.HasPositionIds ? 3 : 2;
            for (int i = 0; i < Math.Min(owned, inputs.Count); i++)
            {
                inputs[i].Dispose();
            }
        }

        foreach (int r in rows)
        {
            LogitRows.Copy(results[0], _graph.LogitsType, (r * sequence) + sequence - 1, VocabSize, logits.Slice(r * VocabSize, VocabSize));
        }

        var next = new ConcatCache(results,
            [.. Enumerable.Range(0, _graph.Layers).Select(i => results[1 + (2 * i)])],
            [.. Enumerable.Range(0, _graph.Layers).Select(i => results[2 + (2 * i)])],
            width, mask, cache.Slots);
        cache.Dispose();
        return next;
    }

    private sealed class Nothing : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
