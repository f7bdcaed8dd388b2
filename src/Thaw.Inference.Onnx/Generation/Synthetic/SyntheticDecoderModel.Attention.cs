using DataType = Thaw.Inference.Onnx.Generation.Synthetic.Proto.TensorProto.Types.DataType;

namespace Thaw.Inference.Onnx.Generation.Synthetic;

internal static partial class SyntheticDecoderModel
{
    // Added to the scores of masked keys: far below any real score, yet finite so that a query row whose keys are
    // all masked (a left pad) still softmaxes to numbers instead of NaN.
    private const float MaskedScore = -1e9f;

    /// <summary>
    /// Optimum-style attention in plain ONNX ops: past and new K/V Concat on the sequence axis into
    /// <c>present</c>; the mask is the 0/1 <c>attention_mask</c> over all columns plus the causal mask, where
    /// the new tokens are the last <c>sequence_length</c> columns.
    /// </summary>
    private static Func<int, string, string> ConcatAttention(OnnxGraphWriter graph, SyntheticDecoderWeights weights)
    {
        SyntheticDecoderConfig config = weights.Config;
        string total = graph.Node("Gather", [graph.Node("Shape", ["attention_mask"]), graph.Int64Scalar(1)], ("axis", 0L));
        string sequence = graph.Node("Gather", [graph.Node("Shape", ["input_ids"]), graph.Int64Scalar(1)], ("axis", 0L));
        string keyColumns = graph.Node("Range", [graph.Int64Scalar(0), total, graph.Int64Scalar(1)]);
        string queryColumns = graph.Node("Range", [graph.Node("Sub", [total, sequence]), total, graph.Int64Scalar(1)]);
        string future = graph.Node("Greater", [keyColumns, graph.Node("Unsqueeze", [queryColumns, graph.Int64(1)])]);
        string causal = graph.Node("Where", [future, graph.FloatScalar(MaskedScore), graph.FloatScalar(0f)]);
        string masked = graph.Node("Sub", [graph.FloatScalar(1f), graph.Node("Cast", ["attention_mask"], ("to", (long)DataType.Float))]);
        string padding = graph.Node("Unsqueeze", [graph.Node("Mul", [masked, graph.FloatScalar(MaskedScore)]), graph.Int64(1, 2)]);
        string bias = graph.Node("Add", [padding, causal]);
        string scale = graph.FloatScalar(1f / MathF.Sqrt(config.HeadDim));
        string headsShape = graph.Int64(0, 0, config.Heads, config.HeadDim);
        string hiddenShape = graph.Int64(0, 0, config.Heads * config.HeadDim);

        return (i, normed) =>
        {
            SyntheticLayerWeights layer = weights.Layers[i];
            string prefix = $"model.layers.{i}.self_attn";
            string Heads(string projection) => graph.Node("Transpose", [graph.Node("Reshape", [projection, headsShape])], ("perm", new long[] { 0, 2, 1, 3 }));
            string q = Heads(graph.Node("MatMul", [normed, graph.Initializer($"{prefix}.q_proj.weight", layer.Query, config.Hidden, config.Heads * config.HeadDim)]));
            string k = Heads(graph.Node("MatMul", [normed, graph.Initializer($"{prefix}.k_proj.weight", layer.Key, config.Hidden, config.KvHeads * config.HeadDim)]));
            string v = Heads(graph.Node("MatMul", [normed, graph.Initializer($"{prefix}.v_proj.weight", layer.Value, config.Hidden, config.KvHeads * config.HeadDim)]));
            string presentKey = graph.Node("Concat", [$"past_key_values.{i}.key", k], [$"present.{i}.key"], ("axis", 2L))[0];
            string presentValue = graph.Node("Concat", [$"past_key_values.{i}.value", v], [$"present.{i}.value"], ("axis", 2L))[0];
            string scores = graph.Node("MatMul", [q, graph.Node("Transpose", [presentKey], ("perm", new long[] { 0, 1, 3, 2 }))]);
            string probabilities = graph.Node("Softmax", [graph.Node("Add", [graph.Node("Mul", [scores, scale]), bias])], ("axis", -1L));
            string context = graph.Node("MatMul", [probabilities, presentValue]);
            string merged = graph.Node("Reshape", [graph.Node("Transpose", [context], ("perm", new long[] { 0, 2, 1, 3 })), hiddenShape]);
            return graph.Node("MatMul", [merged, graph.Initializer($"{prefix}.o_proj.weight", layer.Output, config.Heads * config.HeadDim, config.Hidden)]);
        };
    }

    /// <summary>
    /// Model-builder-style attention: one <c>com.microsoft.GroupQueryAttention</c> per layer with rotary inside;
    /// <c>seqlens_k</c> (valid tokens minus one per row) and <c>total_sequence_length</c> (the mask's width) are
    /// computed from the right-padded <c>attention_mask</c>, as onnxruntime-genai's builder emits them.
    /// </summary>
    private static Func<int, string, string> GroupQueryAttention(OnnxGraphWriter graph, SyntheticDecoderWeights weights)
    {
        SyntheticDecoderConfig config = weights.Config;
        string valid = graph.Node("ReduceSum", ["attention_mask", graph.Int64(1)], ("keepdims", 0L));
        string seqlensK = graph.Node("Cast", [graph.Node("Sub", [valid, graph.Int64Scalar(1)])], ("to", (long)DataType.Int32));
        string width = graph.Node("Gather", [graph.Node("Shape", ["attention_mask"]), graph.Int64Scalar(1)], ("axis", 0L));
        string totalLength = graph.Node("Cast", [width], ("to", (long)DataType.Int32));
        int half = config.HeadDim / 2;
        var cos = new float[config.MaxPositions * half];
        var sin = new float[config.MaxPositions * half];
        for (int p = 0; p < config.MaxPositions; p++)
        {
            for (int j = 0; j < half; j++)
            {
                double angle = weights.RotaryAngle(p, j);
                cos[(p * half) + j] = (float)Math.Cos(angle);
                sin[(p * half) + j] = (float)Math.Sin(angle);
            }
        }

        string cosCache = graph.Initializer("cos_cache", cos, config.MaxPositions, half);
        string sinCache = graph.Initializer("sin_cache", sin, config.MaxPositions, half);

        return (i, normed) =>
        {
            SyntheticLayerWeights layer = weights.Layers[i];
            string prefix = $"model.layers.{i}.attn";
            string q = graph.Node("MatMul", [normed, graph.Initializer($"{prefix}.q_proj.weight", layer.Query, config.Hidden, config.Heads * config.HeadDim)]);
            string k = graph.Node("MatMul", [normed, graph.Initializer($"{prefix}.k_proj.weight", layer.Key, config.Hidden, config.KvHeads * config.HeadDim)]);
            string v = graph.Node("MatMul", [normed, graph.Initializer($"{prefix}.v_proj.weight", layer.Value, config.Hidden, config.KvHeads * config.HeadDim)]);
            string output = $"{prefix}.gqa_{i}";
            graph.MicrosoftNode("GroupQueryAttention",
                [q, k, v, $"past_key_values.{i}.key", $"past_key_values.{i}.value", seqlensK, totalLength, cosCache, sinCache],
                [output, $"present.{i}.key", $"present.{i}.value"],
                ("num_heads", (long)config.Heads), ("kv_num_heads", (long)config.KvHeads), ("do_rotary", 1L));
            return graph.Node("MatMul", [output, graph.Initializer($"{prefix}.o_proj.weight", layer.Output, config.Heads * config.HeadDim, config.Hidden)]);
        };
    }
}
