using DataType = Thaw.Inference.Onnx.Generation.Synthetic.Proto.TensorProto.Types.DataType;

namespace Thaw.Inference.Onnx.Generation.Synthetic;

/// <summary>
/// Writes a synthetic decoder as an ONNX graph in either layout, with the I/O names real exports use
/// (<c>input_ids</c>, <c>attention_mask</c>, [<c>position_ids</c>], <c>past_key_values.{i}.key/value</c> →
/// <c>logits</c>, <c>present.{i}.key/value</c>). Random weights: for tests and benchmarks, never for text.
/// </summary>
internal static partial class SyntheticDecoderModel
{
    private const float NormEpsilon = 1e-5f;

    public static byte[] Build(SyntheticDecoderWeights weights)
    {
        SyntheticDecoderConfig config = weights.Config;
        var graph = new OnnxGraphWriter();
        graph.Input("input_ids", DataType.Int64, "batch_size", "sequence_length");
        graph.Input("attention_mask", DataType.Int64, "batch_size", "total_sequence_length");
        if (!config.Rotary)
        {
            graph.Input("position_ids", DataType.Int64, "batch_size", "sequence_length");
        }

        for (int i = 0; i < config.Layers; i++)
        {
            graph.Input($"past_key_values.{i}.key", DataType.Float, "batch_size", config.KvHeads, "past_sequence_length", config.HeadDim);
            graph.Input($"past_key_values.{i}.value", DataType.Float, "batch_size", config.KvHeads, "past_sequence_length", config.HeadDim);
        }

        graph.Output("logits", DataType.Float, "batch_size", "sequence_length", config.Vocab);
        for (int i = 0; i < config.Layers; i++)
        {
            graph.Output($"present.{i}.key", DataType.Float, "batch_size", config.KvHeads, "total_sequence_length", config.HeadDim);
            graph.Output($"present.{i}.value", DataType.Float, "batch_size", config.KvHeads, "total_sequence_length", config.HeadDim);
        }

        string tokenEmbedding = graph.Initializer("model.embed_tokens.weight", weights.TokenEmbedding, config.Vocab, config.Hidden);
        string x = graph.Node("Gather", [tokenEmbedding, "input_ids"], ("axis", 0L));
        Func<int, string, string> attention;
        if (config.Rotary)
        {
            attention = GroupQueryAttention(graph, weights);
        }
        else
        {
            string positionEmbedding = graph.Initializer("model.embed_positions.weight", weights.PositionEmbedding, config.MaxPositions, config.Hidden);
            x = graph.Node("Add", [x, graph.Node("Gather", [positionEmbedding, "position_ids"], ("axis", 0L))]);
            attention = ConcatAttention(graph, weights);
        }

        for (int i = 0; i < config.Layers; i++)
        {
            SyntheticLayerWeights layer = weights.Layers[i];
            string normed = LayerNorm(graph, x, $"model.layers.{i}.input_layernorm", layer.AttentionNormScale, layer.AttentionNormBias);
            x = graph.Node("Add", [x, attention(i, normed)]);
            normed = LayerNorm(graph, x, $"model.layers.{i}.post_attention_layernorm", layer.MlpNormScale, layer.MlpNormBias);
            string up = graph.Node("MatMul", [normed, graph.Initializer($"model.layers.{i}.mlp.up_proj.weight", layer.Up, config.Hidden, config.Intermediate)]);
            string silu = graph.Node("Mul", [up, graph.Node("Sigmoid", [up])]);
            string down = graph.Node("MatMul", [silu, graph.Initializer($"model.layers.{i}.mlp.down_proj.weight", layer.Down, config.Intermediate, config.Hidden)]);
            x = graph.Node("Add", [x, down]);
        }

        string final = LayerNorm(graph, x, "model.norm", weights.FinalNormScale, weights.FinalNormBias);
        graph.Node("MatMul", [final, graph.Initializer("lm_head.weight", weights.LmHead, config.Hidden, config.Vocab)], ["logits"]);
        return graph.ToModelBytes();
    }

    /// <summary>Writes the model to <paramref name="path"/> (creating its folder) and returns the path.</summary>
    public static string Write(SyntheticDecoderWeights weights, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, Build(weights));
        return path;
    }

    private static string LayerNorm(OnnxGraphWriter graph, string x, string name, float[] scale, float[] bias) =>
        graph.Node("LayerNormalization",
            [x, graph.Initializer($"{name}.weight", scale, scale.Length), graph.Initializer($"{name}.bias", bias, bias.Length)],
            ("axis", -1L), ("epsilon", NormEpsilon));
}
