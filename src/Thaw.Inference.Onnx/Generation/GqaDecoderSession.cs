using Microsoft.ML.OnnxRuntime;
using Thaw.Inference.Generation.Decoding;

namespace Thaw.Inference.Onnx.Generation;

/// <summary>
/// The fast path, for graphs whose attention is <c>com.microsoft.GroupQueryAttention</c>: the KV cache is one
/// preallocated <c>[slots, kv_heads, max_len, head_dim]</c> buffer per layer (<see cref="KvCacheMemory"/>) and each
/// sequence owns a slot, so admission and retirement copy no KV bytes (<see cref="Reset"/> only zeroes a length).
/// </summary>
/// <remarks>
/// Each step binds views of the buffer as both past and present (GroupQueryAttention then writes the new K/V in
/// place), and the right-padded <c>attention_mask</c> gives the graph <c>seqlens_k</c> per row.
/// A prompt chunk runs alone over a one-slot view: GroupQueryAttention refuses more than one new token per row with
/// a past unless the batch is 1 ("batch_size must be 1 when sequence_length > 1 and past context is given").
/// All one-token inputs run in one call over the view of consecutive slots from the lowest to the highest of
/// them. A slot inside that span that is not stepping rides along with a dummy token: it is written one past the
/// slot's end, where nothing reads it and the slot's next token overwrites it. Keeping busy slots low and dense
/// (lowest free slot first) keeps that waste away.
/// </remarks>
internal sealed class GqaDecoderSession : IDecoderSession
{
    private readonly InferenceSession _session;
    private readonly DecoderGraph _graph;
    private readonly KvCacheMemory _cache;
    private readonly OrtIoBinding _binding;
    private readonly HostLogits _logits;
    private readonly int[] _lengths;
    private readonly List<OrtValue> _bound = [];
    private long[] _ids = [];
    private long[] _mask = [];
    private long[] _positions = [];

    public GqaDecoderSession(InferenceSession session, DecoderGraph graph, OrtMemoryInfo kvMemory, int slots, int contextLength, string executionProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(contextLength, 1);
        _session = session;
        _graph = graph;
        Slots = slots;
        ContextLength = contextLength;
        ExecutionProvider = executionProvider;
        _lengths = new int[slots];
        _logits = new HostLogits(graph.LogitsType, graph.VocabSize);
        _cache = new KvCacheMemory(session, kvMemory, graph, slots, contextLength);
        _binding = session.CreateIoBinding();
    }

    public string ExecutionProvider { get; }

    public int Slots { get; }

    public int ContextLength { get; }

    public int VocabSize => _graph.VocabSize;

    public long CacheBytes => _graph.BytesPerSlot(ContextLength) * Slots;

    public int LengthOf(int slot) => _lengths[slot];

    public void Reset(int slot) => _lengths[slot] = 0;

    public void Run(IReadOnlyList<DecoderInput> inputs, Span<float> logits, CancellationToken cancellationToken = default)
    {
        DecoderInputs.Validate(inputs, _lengths, ContextLength, logits.Length, VocabSize);
        int low = int.MaxValue;
        int high = -1;
        for (int i = 0; i < inputs.Count; i++)
        {
            DecoderInput input = inputs[i];
            if (input.Tokens.Length > 1)
            {
                Prefill(input, logits.Slice(i * VocabSize, VocabSize), cancellationToken);
            }
            else
            {
                low = Math.Min(low, input.Slot);
                high = Math.Max(high, input.Slot);
            }
        }

        if (high >= 0)
        {
            Decode(inputs, low, high, logits, cancellationToken);
        }
    }

    public void Dispose()
    {
        _binding.Dispose();
        _cache.Dispose();
        _session.Dispose();
    }

    private void Prefill(DecoderInput input, Span<float> logits, CancellationToken cancellationToken)
    {
        int past = _lengths[input.Slot];
        int n = input.Tokens.Length;
        ReadOnlySpan<int> tokens = input.Tokens.Span;
        Span<long> ids = Grow(ref _ids, n);
        Span<long> positions = Grow(ref _positions, n);
        for (int t = 0; t < n; t++)
        {
            ids[t] = tokens[t];
            positions[t] = past + t;
        }

        Grow(ref _mask, past + n).Fill(1);
        Execute(input.Slot, 1, n, past + n, cancellationToken);
        _logits.CopyRow(n - 1, logits);
        _lengths[input.Slot] = past + n;
    }

    private void Decode(IReadOnlyList<DecoderInput> inputs, int low, int high, Span<float> logits, CancellationToken cancellationToken)
    {
        int batch = high - low + 1;
        Span<long> ids = Grow(ref _ids, batch);
        Span<long> positions = Grow(ref _positions, batch);
        ids.Clear();
        int width = 0;
        for (int row = 0; row < batch; row++)
        {
            // A rider's dummy token goes one past its end; a full rider (it cannot step again) overwrites its last.
            positions[row] = Math.Min(_lengths[low + row], ContextLength - 1);
            width = Math.Max(width, (int)positions[row] + 1);
        }

        foreach (DecoderInput input in inputs)
        {
            if (input.Tokens.Length == 1)
            {
                ids[input.Slot - low] = input.Tokens.Span[0];
            }
        }

        Span<long> mask = Grow(ref _mask, batch * width);
        for (int row = 0; row < batch; row++)
        {
            Span<long> line = mask.Slice(row * width, width);
            int valid = (int)positions[row] + 1;
            line[..valid].Fill(1);
            line[valid..].Clear();
        }

        Execute(low, batch, 1, width, cancellationToken);
        for (int i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].Tokens.Length == 1)
            {
                int slot = inputs[i].Slot;
                _logits.CopyRow(slot - low, logits.Slice(i * VocabSize, VocabSize));
                _lengths[slot]++;
            }
        }
    }

    /// <summary>Runs the graph over slots <paramref name="first"/>.. with the inputs staged in the host arrays.</summary>
    private void Execute(int first, int batch, int sequence, int width, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            Bind("input_ids", OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _ids.AsMemory(0, batch * sequence), [batch, sequence]));
            Bind("attention_mask", OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _mask.AsMemory(0, batch * width), [batch, width]));
            if (_graph.HasPositionIds)
            {
                Bind("position_ids", OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _positions.AsMemory(0, batch * sequence), [batch, sequence]));
            }

            for (int layer = 0; layer < _graph.Layers; layer++)
            {
                OrtValue key = _cache.View(layer, value: false, first, batch);
                OrtValue value = _cache.View(layer, value: true, first, batch);
                Bind(DecoderGraph.PastKey(layer), key);
                Bind(DecoderGraph.PastValue(layer), value);
                _binding.BindOutput(DecoderGraph.PresentKey(layer), key);
                _binding.BindOutput(DecoderGraph.PresentValue(layer), value);
            }

            OrtValue logits = _logits.Bind(batch, sequence);
            _bound.Add(logits);
            _binding.BindOutput("logits", logits);
            _binding.SynchronizeBoundInputs();
            CancellableRun.Invoke(options =>
            {
                _session.RunWithBinding(options, _binding);
                _binding.SynchronizeBoundOutputs();
                return true;
            }, "decoder step", cancellationToken);
        }
        finally
        {
            _binding.ClearBoundInputs();
            _binding.ClearBoundOutputs();
            foreach (OrtValue value in _bound)
            {
                value.Dispose();
            }

            _bound.Clear();
        }
    }

    private void Bind(string name, OrtValue value)
    {
        _bound.Add(value);
        _binding.BindInput(name, value);
    }

    private static Span<long> Grow(ref long[] buffer, int count)
    {
        if (buffer.Length < count)
        {
            buffer = new long[Math.Max(count, buffer.Length * 2)];
        }

        return buffer.AsSpan(0, count);
    }
}
