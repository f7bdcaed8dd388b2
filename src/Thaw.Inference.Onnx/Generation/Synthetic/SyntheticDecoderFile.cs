namespace Thaw.Inference.Onnx.Generation.Synthetic;

/// <summary>
/// A synthetic decoder of a named size written as <c>model.onnx</c>, for benchmarks (<c>thaw bench generate</c>):
/// the graph and I/O of a real export, random weights, so its text is gibberish and only its speed means anything.
/// </summary>
public sealed record SyntheticDecoderFile
{
    /// <summary>The sizes <see cref="Write"/> takes: tiny (tests), small (about 17 M parameters), medium (about 100 M).</summary>
    public static IReadOnlyList<string> Sizes { get; } = ["tiny", "small", "medium"];

    /// <summary>The layouts <see cref="Write"/> takes, named as a manifest's <c>generation.layout</c> names them.</summary>
    public static IReadOnlyList<string> Layouts { get; } = ["gqa", "optimum"];

    public required string Path { get; init; }

    /// <summary><c>gqa</c> or <c>optimum</c>.</summary>
    public required string Layout { get; init; }

    public required long Parameters { get; init; }

    /// <summary>
    /// The weight bytes one decode step reads: every matrix, but of the embedding tables only the rows of the step's
    /// tokens (negligible), so the memory-bandwidth limit of batch-1 decoding is bandwidth over this.
    /// </summary>
    public required long BytesReadPerStep { get; init; }

    /// <summary>The width of the logits: token ids are below it.</summary>
    public required int Vocab { get; init; }

    /// <summary>The most positions a sequence may hold (prompt and completion).</summary>
    public required int MaxPositions { get; init; }

    /// <summary>Writes the decoder to <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">An unknown size or layout.</exception>
    public static SyntheticDecoderFile Write(string path, string size, string layout)
    {
        DecoderLayout parsed = layout switch
        {
            "gqa" => DecoderLayout.GroupQueryAttention,
            "optimum" => DecoderLayout.Optimum,
            _ => throw new ArgumentException($"Unknown layout '{layout}'; use one of: {string.Join(", ", Layouts)}.", nameof(layout)),
        };
        SyntheticDecoderConfig config = size switch
        {
            "tiny" => SyntheticDecoderConfig.Tiny(parsed),
            "small" => SyntheticDecoderConfig.Small(parsed),
            "medium" => SyntheticDecoderConfig.Medium(parsed),
            _ => throw new ArgumentException($"Unknown size '{size}'; use one of: {string.Join(", ", Sizes)}.", nameof(size)),
        };
        SyntheticDecoderModel.Write(SyntheticDecoderWeights.Create(config), path);
        long tables = ((long)config.Vocab * config.Hidden) + (config.Rotary ? 0 : (long)config.MaxPositions * config.Hidden);
        return new SyntheticDecoderFile
        {
            Path = path,
            Layout = layout,
            Parameters = config.Parameters,
            BytesReadPerStep = (config.Parameters - tables) * sizeof(float),
            Vocab = config.Vocab,
            MaxPositions = config.MaxPositions,
        };
    }
}
