using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Thaw.Inference.Onnx.Generation;

/// <summary>What a backend needs to know about a loaded decoder graph, read from its inputs and outputs.</summary>
internal sealed record DecoderGraph(
    DecoderLayout Layout,
    int Layers,
    int KvHeads,
    int HeadDim,
    int VocabSize,
    TensorElementType KvType,
    TensorElementType LogitsType,
    bool HasPositionIds)
{
    public static string PastKey(int layer) => $"past_key_values.{layer}.key";

    public static string PastValue(int layer) => $"past_key_values.{layer}.value";

    public static string PresentKey(int layer) => $"present.{layer}.key";

    public static string PresentValue(int layer) => $"present.{layer}.value";

    /// <summary>Bytes of one element of the KV cache.</summary>
    public int KvElementSize => KvType == TensorElementType.Float ? sizeof(float) : 2;

    /// <summary>Bytes one slot of <paramref name="contextLength"/> tokens holds: layers × 2 × kv_heads × max_len × head_dim × bytes.</summary>
    public long BytesPerSlot(int contextLength) => (long)Layers * 2 * KvHeads * contextLength * HeadDim * KvElementSize;

    /// <summary>Reads the shapes from the session's metadata; throws naming what is missing.</summary>
    public static DecoderGraph Read(InferenceSession session, DecoderLayout layout, string modelPath)
    {
        IReadOnlyDictionary<string, NodeMetadata> inputs = session.InputMetadata;
        IReadOnlyDictionary<string, NodeMetadata> outputs = session.OutputMetadata;
        foreach (string required in new[] { "input_ids", "attention_mask", PastKey(0), PastValue(0) })
        {
            if (!inputs.ContainsKey(required))
            {
                throw Invalid(modelPath, $"it has no input '{required}' (inputs: {string.Join(", ", inputs.Keys)})");
            }
        }

        if (!outputs.TryGetValue("logits", out NodeMetadata? logits) || !outputs.ContainsKey(PresentKey(0)))
        {
            throw Invalid(modelPath, $"it needs outputs 'logits' and '{PresentKey(0)}' (outputs: {string.Join(", ", outputs.Keys)})");
        }

        int layers = 0;
        while (inputs.ContainsKey(PastKey(layers)))
        {
            if (!inputs.ContainsKey(PastValue(layers)) || !outputs.ContainsKey(PresentKey(layers)) || !outputs.ContainsKey(PresentValue(layers)))
            {
                throw Invalid(modelPath, $"layer {layers} lacks one of {PastValue(layers)}, {PresentKey(layers)}, {PresentValue(layers)}");
            }

            layers++;
        }

        NodeMetadata past = inputs[PastKey(0)];
        int[] kvShape = past.Dimensions;
        if (kvShape.Length != 4 || kvShape[1] <= 0 || kvShape[3] <= 0)
        {
            throw Invalid(modelPath, $"'{PastKey(0)}' must be [batch, kv_heads, sequence, head_dim] with fixed kv_heads and head_dim (it is [{string.Join(", ", kvShape)}])");
        }

        if (past.ElementDataType is not (TensorElementType.Float or TensorElementType.Float16 or TensorElementType.BFloat16))
        {
            throw Invalid(modelPath, $"its KV cache is {past.ElementDataType}; float, float16 and bfloat16 are supported");
        }

        int[] logitsShape = logits.Dimensions;
        if (logitsShape.Length != 3 || logitsShape[2] <= 0)
        {
            throw Invalid(modelPath, $"'logits' must be [batch, sequence, vocab] with a fixed vocab (it is [{string.Join(", ", logitsShape)}])");
        }

        return new DecoderGraph(layout, layers, kvShape[1], kvShape[3], logitsShape[2], past.ElementDataType, logits.ElementDataType,
            inputs.ContainsKey("position_ids"));
    }

    private static InvalidOperationException Invalid(string modelPath, string reason) =>
        new($"'{modelPath}' is not a decoder Thaw can run: {reason}.");
}
