namespace Thaw.Inference.Catalog;

/// <summary>
/// The <c>generation</c> object of a text-generation model's manifest. The graph's own shape (layers, KV heads, head
/// dim, vocabulary, layout) is read from the ONNX file at load; the optional fields that declare it are checked
/// against the graph then, so a manifest that describes another model than its file fails with a clear message.
/// </summary>
public sealed record GenerationSpec
{
    /// <summary>The most tokens (prompt and completion) one sequence holds: the length of each KV slot.</summary>
    public int ContextLength { get; set; }

    /// <summary>How many sequences decode together (KV slots preallocated or reserved).</summary>
    public int Slots { get; set; } = 4;

    public int? BosTokenId { get; set; }

    /// <summary>Tokens that end a sequence: EOS and a chat template's end-of-turn token. At least one.</summary>
    public IReadOnlyList<int> EosTokenIds { get; set; } = [];

    public int? PadTokenId { get; set; }

    /// <summary>A built-in chat template's name (<c>ChatTemplates.Names</c>); null serves completions only.</summary>
    public string? ChatTemplate { get; set; }

    /// <summary>What a request that does not say gets.</summary>
    public GenerationDefaults Defaults { get; set; } = new();

    /// <summary>Declared layout, <c>optimum</c> or <c>gqa</c>; checked against the graph's.</summary>
    public string? Layout { get; set; }

    public int? Layers { get; set; }

    public int? KvHeads { get; set; }

    public int? HeadDim { get; set; }

    public int? VocabSize { get; set; }

    /// <summary>Declared KV-cache element type: <c>float32</c>, <c>float16</c> or <c>bfloat16</c>.</summary>
    public string? KvDtype { get; set; }

    /// <summary>
    /// The KV cache with every slot full, from the declared shape: what the pool reserves for it before the graph is
    /// read (after the load, the session's own figure counts). Null when <see cref="Layers"/>, <see cref="KvHeads"/>
    /// or <see cref="HeadDim"/> is not declared. An undeclared <see cref="KvDtype"/> counts as float32, the widest,
    /// so the reservation never falls short.
    /// </summary>
    public long? DeclaredCacheBytes() => Layers is { } layers && KvHeads is { } kvHeads && HeadDim is { } headDim
        ? 2L * layers * kvHeads * headDim * ContextLength * Slots * (KvDtype is "float16" or "bfloat16" ? 2 : 4)
        : null;
}
