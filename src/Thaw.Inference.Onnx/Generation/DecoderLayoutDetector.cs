namespace Thaw.Inference.Onnx.Generation;

/// <summary>
/// Chooses a decoder's backend from its graph: a <c>com.microsoft.GroupQueryAttention</c> node means onnxruntime-genai's
/// shared-buffer layout, anything else with KV-cache inputs is an optimum export. Refuses, naming the fix, the legacy
/// exports Thaw does not run: the split pair (<c>decoder_model.onnx</c> + <c>decoder_with_past_model.onnx</c>) and the
/// merged file with a <c>use_cache_branch</c> input, whose two branches would double the work for nothing here.
/// </summary>
internal static class DecoderLayoutDetector
{
    internal const string Reexport =
        "Export it again as one decoder with a KV cache: 'optimum-cli export onnx --task text-generation-with-past' (a single model.onnx), " +
        "or onnxruntime-genai's model builder (python -m onnxruntime_genai.models.builder).";

    /// <summary>The layout of the decoder at <paramref name="modelPath"/>.</summary>
    /// <exception cref="InvalidOperationException">A legacy or cache-less export; the message says how to export it again.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model.</exception>
    public static DecoderLayout Detect(string modelPath)
    {
        string name = Path.GetFileName(modelPath);
        if (name is "decoder_model.onnx" or "decoder_with_past_model.onnx")
        {
            throw Refuse(modelPath, "it is one half of a legacy split export (decoder_model.onnx without a cache, decoder_with_past_model.onnx with one), which runs two sessions per model");
        }

        using FileStream file = File.OpenRead(modelPath);
        return Detect(OnnxGraphOutline.Read(file), modelPath);
    }

    /// <summary>The layout of a decoder from its outline; <paramref name="modelPath"/> is for messages.</summary>
    public static DecoderLayout Detect(OnnxGraphOutline graph, string modelPath)
    {
        if (graph.Inputs.Contains("use_cache_branch"))
        {
            throw Refuse(modelPath, "it is a legacy merged export (decoder_model_merged.onnx: a 'use_cache_branch' input switching between a graph with and one without the cache)");
        }

        if (!graph.Inputs.Contains(DecoderGraph.PastKey(0)))
        {
            throw Refuse(modelPath, $"it has no KV-cache input '{DecoderGraph.PastKey(0)}' (inputs: {string.Join(", ", graph.Inputs)}), so every token would recompute the whole sequence");
        }

        return graph.Operators.Contains(("com.microsoft", "GroupQueryAttention")) ? DecoderLayout.GroupQueryAttention : DecoderLayout.Optimum;
    }

    private static InvalidOperationException Refuse(string modelPath, string reason) =>
        new($"'{modelPath}' is not a decoder Thaw can run: {reason}. {Reexport}");
}
