using Microsoft.ML.OnnxRuntime;
using Thaw.Inference.Catalog;

namespace Thaw.Inference.Onnx.Generation;

/// <summary>
/// The load-time checks of a decoder, for a model that is not in the catalog yet (<c>thaw models add</c>): the same
/// layout detection (legacy exports refused), graph reading and manifest comparison as <see cref="OnnxDecoderBackend"/>,
/// on a CPU session without graph optimization, which opens the graph (and its external weights) but allocates no KV cache.
/// </summary>
public static class DecoderExportCheck
{
    /// <summary>How to export a decoder that Thaw cannot run, for messages about a folder's legacy files.</summary>
    public static string ReexportAdvice => DecoderLayoutDetector.Reexport;

    /// <summary>Opens <paramref name="modelPath"/>, checks it against <paramref name="model"/>'s declared fields and returns what the graph is.</summary>
    /// <remarks><c>declaredBy</c> names what declared each <c>generation</c> field, for the message when one differs from the graph.</remarks>
    /// <exception cref="InvalidOperationException">The graph cannot be loaded, is a legacy or cache-less export, or differs from a declared field.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model.</exception>
    public static DecoderGraphFacts Verify(ModelManifest model, string modelPath, IReadOnlyDictionary<string, string>? declaredBy = null)
    {
        DecoderLayout layout = DecoderLayoutDetector.Detect(modelPath);
        using var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        InferenceSession session;
        try
        {
            session = new InferenceSession(modelPath, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidOperationException($"Model '{model.Id}': ONNX Runtime cannot load '{modelPath}': {OnnxSessionOptions.FirstLine(e.Message)}", e);
        }

        using (session)
        {
            DecoderGraph graph = DecoderGraph.Read(session, layout, modelPath);
            DecoderManifestCheck.Check(model, graph, modelPath, declaredBy);
            return new DecoderGraphFacts(DecoderManifestCheck.LayoutName(graph), graph.Layers, graph.KvHeads, graph.HeadDim, graph.VocabSize,
                DecoderManifestCheck.KvDtypeName(graph));
        }
    }
}
