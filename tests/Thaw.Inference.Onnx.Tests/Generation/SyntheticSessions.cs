using Microsoft.ML.OnnxRuntime;
using Thaw.Inference.Generation.Decoding;
using Thaw.Inference.Onnx.Generation;
using Thaw.Inference.Onnx.Generation.Synthetic;

namespace Thaw.Inference.Onnx.Tests.Generation;

/// <summary>Tiny synthetic decoders (weights and ONNX bytes built once per layout) and CPU sessions over them.</summary>
internal static class SyntheticSessions
{
    private static readonly Lazy<(SyntheticDecoderWeights Weights, byte[] Model)> Optimum = new(() => Build(DecoderLayout.Optimum));
    private static readonly Lazy<(SyntheticDecoderWeights Weights, byte[] Model)> Gqa = new(() => Build(DecoderLayout.GroupQueryAttention));

    public static SyntheticDecoderWeights Weights(DecoderLayout layout) => Get(layout).Weights;

    public static IDecoderSession Create(DecoderLayout layout, int slots, int contextLength = 64)
    {
        var session = new InferenceSession(Get(layout).Model);
        try
        {
            DecoderGraph graph = DecoderGraph.Read(session, layout, "synthetic");
            return layout == DecoderLayout.Optimum
                ? new OptimumDecoderSession(session, graph, slots, contextLength, "CPU")
                : new GqaDecoderSession(session, graph, OrtMemoryInfo.DefaultInstance, slots, contextLength, "CPU");
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static (SyntheticDecoderWeights Weights, byte[] Model) Get(DecoderLayout layout) =>
        (layout == DecoderLayout.Optimum ? Optimum : Gqa).Value;

    private static (SyntheticDecoderWeights, byte[]) Build(DecoderLayout layout)
    {
        var weights = SyntheticDecoderWeights.Create(SyntheticDecoderConfig.Tiny(layout));
        return (weights, SyntheticDecoderModel.Build(weights));
    }
}
