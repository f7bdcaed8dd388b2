using Microsoft.ML.OnnxRuntime.Tensors;
using Thaw.Inference.Catalog;

namespace Thaw.Inference.Onnx.Generation;

/// <summary>
/// Compares what a manifest declares about its decoder (<c>generation.layout</c>, <c>layers</c>, ...) with the
/// graph read at load: a manifest written for another export fails here, naming the field, instead of producing
/// wrong tokens or failing deep inside a step.
/// </summary>
internal static class DecoderManifestCheck
{
    /// <exception cref="InvalidOperationException">A declared value, or a special token id, does not fit the graph.</exception>
    public static void Check(ModelManifest model, DecoderGraph graph, string modelPath)
    {
        GenerationSpec g = model.Generation
            ?? throw new InvalidOperationException($"Bug: model '{model.Id}' reached the decoder backend without a 'generation' object.");
        string layout = graph.Layout == DecoderLayout.GroupQueryAttention ? "gqa" : "optimum";
        Compare(model, modelPath, "layout", g.Layout, layout);
        Compare(model, modelPath, "layers", g.Layers, graph.Layers);
        Compare(model, modelPath, "kvHeads", g.KvHeads, graph.KvHeads);
        Compare(model, modelPath, "headDim", g.HeadDim, graph.HeadDim);
        Compare(model, modelPath, "vocabSize", g.VocabSize, graph.VocabSize);
        Compare(model, modelPath, "kvDtype", g.KvDtype, graph.KvType switch
        {
            TensorElementType.Float => "float32",
            TensorElementType.Float16 => "float16",
            _ => "bfloat16",
        });

        int[] special = [.. g.EosTokenIds, .. g.BosTokenId is { } bos ? [bos] : Array.Empty<int>(), .. g.PadTokenId is { } pad ? [pad] : Array.Empty<int>()];
        if (special.FirstOrDefault(id => id >= graph.VocabSize, -1) is var outside and >= 0)
        {
            throw new InvalidOperationException(
                $"Model '{model.Id}': token id {outside} in 'generation' (bosTokenId, eosTokenIds, padTokenId) is outside the vocabulary of '{modelPath}' ({graph.VocabSize} tokens).");
        }
    }

    private static void Compare<T>(ModelManifest model, string modelPath, string field, T? declared, T actual)
    {
        if (declared is not null && !EqualityComparer<T>.Default.Equals(declared, actual))
        {
            throw new InvalidOperationException(
                $"Model '{model.Id}': its manifest declares 'generation.{field}' {declared}, but the graph '{modelPath}' has {actual}: fix the manifest or leave the field out.");
        }
    }
}
