using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Thaw.Inference.Onnx.Generation;

/// <summary>Reads one row of logits in host memory as float, whatever the graph's precision.</summary>
internal static class LogitRows
{
    public static void Copy(OrtValue logits, TensorElementType type, int row, int vocabSize, Span<float> destination)
    {
        int start = row * vocabSize;
        switch (type)
        {
            case TensorElementType.Float:
                logits.GetTensorDataAsSpan<float>().Slice(start, vocabSize).CopyTo(destination);
                break;
            case TensorElementType.Float16:
                Widen(logits.GetTensorDataAsSpan<Float16>().Slice(start, vocabSize), destination);
                break;
            case TensorElementType.BFloat16:
                Widen(logits.GetTensorDataAsSpan<BFloat16>().Slice(start, vocabSize), destination);
                break;
            default:
                throw Unsupported(type);
        }
    }

    public static void Widen(ReadOnlySpan<Float16> source, Span<float> destination)
    {
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = source[i].ToFloat();
        }
    }

    public static void Widen(ReadOnlySpan<BFloat16> source, Span<float> destination)
    {
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = source[i].ToFloat();
        }
    }

    public static NotSupportedException Unsupported(TensorElementType type) =>
        new($"Logits of type {type} are not supported (float, float16, bfloat16).");
}
