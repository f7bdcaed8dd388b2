using Microsoft.ML.OnnxRuntime;

namespace Thaw.Inference.Onnx.Generation;

/// <summary>
/// The preallocated KV cache of the GroupQueryAttention layout: per layer, one key and one value buffer of
/// <c>[slots, kv_heads, max_len, head_dim]</c>, in whatever memory the session's allocator gives (host memory on
/// CPU, device memory on CUDA). Views over a run of consecutive slots are OrtValues over the same bytes: binding a
/// view as both past and present is how GroupQueryAttention appends in place.
/// </summary>
internal sealed class KvCacheMemory : IDisposable
{
    private readonly OrtAllocator _allocator;
    private readonly OrtMemoryAllocation[] _keys;
    private readonly OrtMemoryAllocation[] _values;
    private readonly DecoderGraph _graph;
    private readonly int _contextLength;

    public KvCacheMemory(InferenceSession session, OrtMemoryInfo memoryInfo, DecoderGraph graph, int slots, int contextLength)
    {
        _graph = graph;
        _contextLength = contextLength;
        MemoryInfo = memoryInfo;
        SlotBytes = (long)graph.KvHeads * contextLength * graph.HeadDim * graph.KvElementSize;
        long bufferBytes = SlotBytes * slots;
        if (bufferBytes > uint.MaxValue)
        {
            throw new ArgumentException(
                $"One layer's key cache would take {bufferBytes} bytes ({slots} slots × {SlotBytes}); ONNX Runtime's allocator takes at most 4 GiB: use fewer slots or a shorter context.");
        }

        _allocator = new OrtAllocator(session, memoryInfo);
        _keys = new OrtMemoryAllocation[graph.Layers];
        _values = new OrtMemoryAllocation[graph.Layers];
        try
        {
            for (int i = 0; i < graph.Layers; i++)
            {
                _keys[i] = _allocator.Allocate((uint)bufferBytes);
                _values[i] = _allocator.Allocate((uint)bufferBytes);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public OrtMemoryInfo MemoryInfo { get; }

    /// <summary>Bytes of one slot in one layer's key (or value) buffer.</summary>
    public long SlotBytes { get; }

    /// <summary>A <c>[count, kv_heads, max_len, head_dim]</c> tensor over slots <paramref name="first"/>.. of one buffer.</summary>
    public OrtValue View(int layer, bool value, int first, int count)
    {
        OrtMemoryAllocation buffer = (value ? _values : _keys)[layer];
        // The allocation's address (its handle) stays valid until Dispose: the views never outlive this object.
        return OrtValue.CreateTensorValueWithData(MemoryInfo, _graph.KvType, [count, _graph.KvHeads, _contextLength, _graph.HeadDim],
            buffer.DangerousGetHandle() + (nint)(first * SlotBytes), count * SlotBytes);
    }

    public void Dispose()
    {
        foreach (OrtMemoryAllocation? allocation in _keys.Concat(_values))
        {
            allocation?.Dispose();
        }

        _allocator.Dispose();
    }
}
