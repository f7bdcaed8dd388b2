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
    /// <remarks>
    /// <c>declaredBy</c>, for <c>thaw models add</c>: what declared each field (<c>layers</c> → <c>config.json 'num_hidden_layers'</c>),
    /// so the message names the user's file rather than a manifest that does not exist yet.
    /// </remarks>
    /// <exception cref="InvalidOperationException">A declared value, or a special token id, does not fit the graph.</exception>
    public static void Check(ModelManifest model, DecoderGraph graph, string modelPath, IReadOnlyDictionary<string, string>? declaredBy = null)
    {
        GenerationSpec g = model.Generation
            ?? throw new InvalidOperationException($"Bug: model '{model.Id}' reached the decoder backend without a 'generation' object.");
        Compare(model, modelPath, declaredBy, "layout", g.Layout, LayoutName(graph));
        Compare(model, modelPath, declaredBy, "layers", g.Layers, graph.Layers);
        Compare(model, modelPath, declaredBy, "kvHeads", g.KvHeads, graph.KvHeads);
        Compare(model, modelPath, declaredBy, "headDim", g.HeadDim, graph.HeadDim);
        Compare(model, modelPath, declaredBy, "vocabSize", g.VocabSize, graph.VocabSize);
        Compare(model, modelPath, declaredBy, "kvDtype", g.KvDtype, KvDtypeName(graph));

        int[] special = [.. g.EosTokenIds, .. g.BosTokenId is { } bos ? [bos] : Array.Empty<int>(), .. g.PadTokenId is { } pad ? [pad] : Array.Empty<int>()];
        if (special.FirstOrDefault(id => id >= graph.VocabSize, -1) is var outside and >= 0)
        {
            throw new InvalidOperationException(
                $"Model '{model.Id}': token id {outside} in 'generation' (bosTokenId, eosTokenIds, padTokenId) is outside the vocabulary of '{modelPath}' ({graph.VocabSize} tokens).");
        }
    }

    /// <summary>The graph's layout as a manifest names it (<c>generation.layout</c>).</summary>
    public static string LayoutName(DecoderGraph graph) => graph.Layout == DecoderLayout.GroupQueryAttention ? "gqa" : "optimum";

    /// <summary>The graph's KV element type as a manifest names it (<c>generation.kvDtype</c>).</summary>
    public static string KvDtypeName(DecoderGraph graph) => graph.KvType switch
    {
        TensorElementType.Float => "float32",
        TensorElementType.Float16 => "float16",
        _ => "bfloat16",
    };

    private static void Compare<T>(ModelManifest model, string modelPath, IReadOnlyDictionary<string, string>? declaredBy, string field, T? declared, T actual)
    {
        if (declared is null || EqualityComparer<T>.Default.Equals(declared, actual))
        {
            return;
        }

        throw new InvalidOperationException(declaredBy is not null && declaredBy.TryGetValue(field, out string? origin)
            ? $"Model '{model.Id}': {origin} says {declared}, but the graph '{modelPath}' has {actual} ('generation.{field}'): the folder's files do not belong to one export."
            : $"Model '{model.Id}': its manifest declares 'generation.{field}' {declared}, but the graph '{modelPath}' has {actual}: fix the manifest or leave the field out.");
    }
}
