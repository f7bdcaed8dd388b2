namespace Thaw.Inference.Onnx.Generation.Synthetic;

/// <summary>
/// Deterministic weights for a <see cref="SyntheticDecoderConfig"/> (SplitMix64 from the seed, uniform, scaled by
/// fan-in), shared by the ONNX graphs and the reference forward pass that checks them. The LM head has gain 3 so
/// that logits spread over a few units: greedy choices are then far from ties that float32 rounding could flip.
/// </summary>
internal sealed class SyntheticDecoderWeights
{
    private const float LmHeadGain = 3f;

    private ulong _state;

    private SyntheticDecoderWeights(SyntheticDecoderConfig config)
    {
        config.Validate();
        Config = config;
        _state = config.Seed;
        int h = config.Hidden;
        int q = config.Heads * config.HeadDim;
        int kv = config.KvHeads * config.HeadDim;
        TokenEmbedding = Uniform(config.Vocab * h, 1f);
        PositionEmbedding = config.Rotary ? [] : Uniform(config.MaxPositions * h, 0.5f);
        Layers = [.. Enumerable.Range(0, config.Layers).Select(_ => new SyntheticLayerWeights(
            Norm(h, 1f), Norm(h, 0f),
            Matrix(h, q), Matrix(h, kv), Matrix(h, kv), Matrix(q, h),
            Norm(h, 1f), Norm(h, 0f),
            Matrix(h, config.Intermediate), Matrix(config.Intermediate, h)))];
        FinalNormScale = Norm(h, 1f);
        FinalNormBias = Norm(h, 0f);
        LmHead = Matrix(h, config.Vocab, LmHeadGain);
    }

    public SyntheticDecoderConfig Config { get; }

    /// <summary><c>[vocab, hidden]</c>.</summary>
    public float[] TokenEmbedding { get; }

    /// <summary><c>[max_positions, hidden]</c>; empty for rotary models.</summary>
    public float[] PositionEmbedding { get; }

    public IReadOnlyList<SyntheticLayerWeights> Layers { get; }

    public float[] FinalNormScale { get; }

    public float[] FinalNormBias { get; }

    /// <summary><c>[hidden, vocab]</c>.</summary>
    public float[] LmHead { get; }

    public static SyntheticDecoderWeights Create(SyntheticDecoderConfig config) => new(config);

    /// <summary>The rotary angle of <paramref name="position"/> for pair <paramref name="i"/> (of head_dim / 2).</summary>
    public double RotaryAngle(int position, int i) =>
        position * Math.Pow(Config.RotaryBase, -2.0 * i / Config.HeadDim);

    private float[] Matrix(int fanIn, int fanOut, float gain = 1f) => Uniform(fanIn * fanOut, gain * MathF.Sqrt(3f / fanIn));

    private float[] Norm(int size, float centre)
    {
        float[] values = Uniform(size, 0.1f);
        for (int i = 0; i < size; i++)
        {
            values[i] += centre;
        }

        return values;
    }

    private float[] Uniform(int count, float scale)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            // SplitMix64: fixed output for a seed on every platform, unlike System.Random's unspecified algorithm.
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            values[i] = (float)(((z >> 40) / (double)(1UL << 24) * 2.0) - 1.0) * scale;
        }

        return values;
    }
}
