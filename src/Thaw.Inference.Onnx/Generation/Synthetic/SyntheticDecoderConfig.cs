namespace Thaw.Inference.Onnx.Generation.Synthetic;

/// <summary>
/// The shape of a synthetic decoder: pre-norm blocks (LayerNorm, attention, LayerNorm, SiLU MLP), untied LM head.
/// Learned position embeddings for the optimum layout (GPT-2 style), rotary inside GroupQueryAttention for the
/// model-builder layout (Llama style, fewer KV heads than query heads).
/// </summary>
internal sealed record SyntheticDecoderConfig
{
    public required DecoderLayout Layout { get; init; }

    public int Layers { get; init; } = 2;

    public int Hidden { get; init; } = 64;

    public int Heads { get; init; } = 4;

    public int KvHeads { get; init; } = 4;

    public int Intermediate { get; init; } = 128;

    public int Vocab { get; init; } = 128;

    /// <summary>Positions the model has weights (or rotary tables) for: the most a KV slot may hold.</summary>
    public int MaxPositions { get; init; } = 128;

    public ulong Seed { get; init; } = 1;

    public float RotaryBase { get; init; } = 10000f;

    public int HeadDim => Hidden / Heads;

    public bool Rotary => Layout == DecoderLayout.GroupQueryAttention;

    public long Parameters
    {
        get
        {
            long perLayer = (4L * Hidden) + ((long)Hidden * Heads * HeadDim * 2) + ((long)Hidden * KvHeads * HeadDim * 2) + (2L * Hidden * Intermediate);
            long positions = Rotary ? 0 : (long)MaxPositions * Hidden;
            return (2L * Vocab * Hidden) + positions + (Layers * perLayer) + (2L * Hidden);
        }
    }

    /// <summary>A model small enough for tests (tens of thousands of parameters).</summary>
    public static SyntheticDecoderConfig Tiny(DecoderLayout layout) => layout == DecoderLayout.Optimum
        ? new SyntheticDecoderConfig { Layout = layout }
        : new SyntheticDecoderConfig { Layout = layout, KvHeads = 2 };

    /// <summary>About 17 M parameters: big enough that a decode step reads more weights than the caches hold.</summary>
    public static SyntheticDecoderConfig Small(DecoderLayout layout) =>
        Sized(layout, layers: 4, hidden: 512, heads: 8, groupedKvHeads: 4, intermediate: 1408, vocab: 8192);

    /// <summary>
    /// About 100 M parameters (113 M for the optimum layout, which has no grouped KV heads): memory-bound at batch 1
    /// on a CPU, the size <c>thaw bench generate</c> measures continuous batching with.
    /// </summary>
    public static SyntheticDecoderConfig Medium(DecoderLayout layout) =>
        Sized(layout, layers: 8, hidden: 1024, heads: 16, groupedKvHeads: 4, intermediate: 2816, vocab: 16384);

    /// <summary>A benchmark size: 512 positions, and KV heads grouped only where the layout can (the optimum graph has no repeat_kv).</summary>
    private static SyntheticDecoderConfig Sized(DecoderLayout layout, int layers, int hidden, int heads, int groupedKvHeads, int intermediate, int vocab) => new()
    {
        Layout = layout,
        Layers = layers,
        Hidden = hidden,
        Heads = heads,
        KvHeads = layout == DecoderLayout.Optimum ? heads : groupedKvHeads,
        Intermediate = intermediate,
        Vocab = vocab,
        MaxPositions = 512,
    };

    /// <summary>Throws when the graph for <see cref="Layout"/> cannot express this shape.</summary>
    public void Validate()
    {
        if (Hidden % Heads != 0 || Heads % KvHeads != 0)
        {
            throw new ArgumentException($"Hidden ({Hidden}) must divide by Heads ({Heads}) and Heads by KvHeads ({KvHeads}).");
        }

        if (Layout == DecoderLayout.Optimum && KvHeads != Heads)
        {
            throw new ArgumentException("The synthetic optimum graph has no repeat_kv: KvHeads must equal Heads.");
        }

        if (Layout == DecoderLayout.GroupQueryAttention && HeadDim % 16 != 0)
        {
            // GroupQueryAttention with rotary asks head_size % 16 == 0 (group_query_attention_helper.h).
            throw new ArgumentException($"GroupQueryAttention with rotary needs a head dim that is a multiple of 16 (it is {HeadDim}).");
        }
    }
}
