using Microsoft.ML.OnnxRuntime;

namespace Thaw.Inference.Onnx.Generation;

/// <summary>
/// A batch KV cache of the optimum layout in host memory: per layer <c>[rows, kv_heads, width, head_dim]</c> key and
/// value tensors, a 0/1 mask over the columns of each row, and the slot each row belongs to (-1 once retired).
/// Immutable in shape: a step or a repack makes a new one and the old one is disposed.
/// </summary>
internal sealed class ConcatCache : IDisposable
{
    private readonly IDisposable _owner;

    public ConcatCache(IDisposable owner, OrtValue[] keys, OrtValue[] values, int width, long[] mask, int[] slots)
    {
        _owner = owner;
        Keys = keys;
        Values = values;
        Width = width;
        Mask = mask;
        Slots = slots;
    }

    public OrtValue[] Keys { get; }

    public OrtValue[] Values { get; }

    public int Rows => Slots.Length;

    public int Width { get; }

    /// <summary><c>[rows, width]</c>: 1 where the column holds a token of the row's sequence.</summary>
    public long[] Mask { get; }

    public int[] Slots { get; }

    /// <summary>
    /// A new cache holding the given rows of other caches, each row's tokens moved to the right end (left padding)
    /// with its pad and hole columns dropped, so the width is the longest row's length. Copies every token's K/V of
    /// every layer once: this is the optimum layout's price for admitting or retiring a sequence.
    /// </summary>
    public static ConcatCache Repack(DecoderGraph graph, IReadOnlyList<(ConcatCache Source, int Row)> rows)
    {
        var lengths = new int[rows.Count];
        for (int r = 0; r < rows.Count; r++)
        {
            (ConcatCache source, int row) = rows[r];
            lengths[r] = (int)source.Mask.AsSpan(row * source.Width, source.Width).Count(1L);
        }

        int width = rows.Count == 0 ? 0 : lengths.Max();
        var mask = new long[rows.Count * width];
        for (int r = 0; r < rows.Count; r++)
        {
            mask.AsSpan((r * width) + width - lengths[r], lengths[r]).Fill(1);
        }

        var owned = new List<OrtValue>(2 * graph.Layers);
        var keys = new OrtValue[graph.Layers];
        var values = new OrtValue[graph.Layers];
        try
        {
            for (int layer = 0; layer < graph.Layers; layer++)
            {
                keys[layer] = Allocate(graph, rows.Count, width, owned);
                values[layer] = Allocate(graph, rows.Count, width, owned);
                for (int r = 0; r < rows.Count; r++)
                {
                    if (lengths[r] == 0)
                    {
                        continue;
                    }

                    (ConcatCache source, int row) = rows[r];
                    CopyRow(graph, source, row, source.Keys[layer], keys[layer], r, width - lengths[r], width);
                    CopyRow(graph, source, row, source.Values[layer], values[layer], r, width - lengths[r], width);
                }
            }
        }
        catch
        {
            owned.ForEach(v => v.Dispose());
            throw;
        }

        return new ConcatCache(new Owned(owned), keys, values, width, mask, [.. rows.Select(r => r.Source.Slots[r.Row])]);
    }

    public void Dispose() => _owner.Dispose();

    private static OrtValue Allocate(DecoderGraph graph, int rows, int width, List<OrtValue> owned)
    {
        OrtValue value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, graph.KvType, [rows, graph.KvHeads, width, graph.HeadDim]);
        owned.Add(value);
        // Pad columns are masked, but a masked column's V is still multiplied by its zero weight: keep it finite.
        value.GetTensorMutableRawData().Clear();
        return value;
    }

    /// <summary>Copies the masked-in columns of one row, in order, to columns <paramref name="start"/>.. of a row of the target.</summary>
    private static void CopyRow(DecoderGraph graph, ConcatCache source, int sourceRow, OrtValue from, OrtValue to, int targetRow, int start, int targetWidth)
    {
        int vector = graph.HeadDim * graph.KvElementSize;
        ReadOnlySpan<byte> input = from.GetTensorMutableRawData();
        Span<byte> output = to.GetTensorMutableRawData();
        ReadOnlySpan<long> mask = source.Mask.AsSpan(sourceRow * source.Width, source.Width);
        for (int head = 0; head < graph.KvHeads; head++)
        {
            long inputBase = ((long)((sourceRow * graph.KvHeads) + head) * source.Width) * vector;
            long outputBase = (((long)((targetRow * graph.KvHeads) + head) * targetWidth) + start) * vector;
            int written = 0;
            int column = 0;
            while (column < source.Width)
            {
                if (mask[column] == 0)
                {
                    column++;
                    continue;
                }

                int run = column;
                while (run < source.Width && mask[run] == 1)
                {
                    run++;
                }

                input.Slice((int)(inputBase + ((long)column * vector)), (run - column) * vector)
                    .CopyTo(output[(int)(outputBase + ((long)written * vector))..]);
                written += run - column;
                column = run;
            }
        }
    }

    private sealed class Owned(List<OrtValue> values) : IDisposable
    {
        public void Dispose() => values.ForEach(v => v.Dispose());
    }
}
