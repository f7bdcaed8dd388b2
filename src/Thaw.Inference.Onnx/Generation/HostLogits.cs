using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Thaw.Inference.Onnx.Generation;

/// <summary>
/// Host memory that a step's <c>logits</c> output is bound to (ONNX Runtime copies them there from a device), grown
/// to the largest step seen, and read back one row at a time as float whatever the graph's precision.
/// </summary>
internal sealed class HostLogits(TensorElementType type, int vocabSize)
{
    private float[] _float = [];
    private Float16[] _half = [];
    private BFloat16[] _brain = [];

    /// <summary>An OrtValue of <c>[batch, sequence, vocab]</c> over this buffer, for <see cref="OrtIoBinding.BindOutput(string, OrtValue)"/>.</summary>
    public OrtValue Bind(int batch, int sequence)
    {
        int count = batch * sequence * vocabSize;
        long[] shape = [batch, sequence, vocabSize];
        return type switch
        {
            TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, Grow(ref _float, count).AsMemory(0, count), shape),
            TensorElementType.Float16 => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, Grow(ref _half, count).AsMemory(0, count), shape),
            TensorElementType.BFloat16 => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, Grow(ref _brain, count).AsMemory(0, count), shape),
            _ => throw LogitRows.Unsupported(type),
        };
    }

    /// <summary>Copies row <paramref name="row"/> (counted over batch × sequence) of the last step into <paramref name="destination"/>.</summary>
    public void CopyRow(int row, Span<float> destination)
    {
        int start = row * vocabSize;
        switch (type)
        {
            case TensorElementType.Float:
                _float.AsSpan(start, vocabSize).CopyTo(destination);
                break;
            case TensorElementType.Float16:
                LogitRows.Widen(_half.AsSpan(start, vocabSize), destination);
                break;
            default:
                LogitRows.Widen(_brain.AsSpan(start, vocabSize), destination);
                break;
        }
    }

    private static T[] Grow<T>(ref T[] buffer, int count)
    {
        if (buffer.Length < count)
        {
            buffer = new T[Math.Max(count, buffer.Length * 2)];
        }

        return buffer;
    }
}
