namespace Thaw.Inference.Onnx.Generation.Synthetic;

/// <summary>One decoder block's weights; matrices are <c>[in, out]</c> row-major, as ONNX MatMul takes them.</summary>
internal sealed record SyntheticLayerWeights(
    float[] AttentionNormScale,
    float[] AttentionNormBias,
    float[] Query,
    float[] Key,
    float[] Value,
    float[] Output,
    float[] MlpNormScale,
    float[] MlpNormBias,
    float[] Up,
    float[] Down);
