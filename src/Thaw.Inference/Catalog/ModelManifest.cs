using System.Text.Json.Serialization;

namespace Thaw.Inference.Catalog;

/// <summary>
/// One model as described by <c>models/&lt;id&gt;/model.json</c>: where its files come from, how to
/// tokenize for it and, per task, how to turn its outputs into embeddings (<see cref="Pooling"/>, <see cref="Dimensions"/>,
/// <see cref="MaxTokens"/>: required of embedding models) or how to generate with it (<see cref="Generation"/>: required
/// of text-generation models; <see cref="ModelCatalog"/> checks each task's fields). Optional fields with a default have setters, not
/// init accessors: System.Text.Json's source generator assigns every init-only property, so a field absent from the
/// JSON would get null or false instead of its default (a manifest without <c>prefixes</c> crashed a load).
/// </summary>
public sealed record ModelManifest
{
    /// <summary>The id clients put in the <c>model</c> field; equals the manifest's folder name.</summary>
    public required string Id { get; init; }

    public required ModelTask Task { get; init; }

    public string Description { get; set; } = "";

    /// <summary>Where the weights were published originally (for people, not for loading).</summary>
    public string Origin { get; set; } = "";

    public required string License { get; init; }

    /// <summary>
    /// When the weights were first published at <see cref="Origin"/> (ISO date, <c>published</c> in the manifest): the
    /// model's OpenAI <c>created</c>. Optional so that a manifest without it still loads; its model then shows 0.
    /// </summary>
    public DateOnly? Published { get; set; }

    public required ModelSourceSpec Source { get; init; }

    public required IReadOnlyList<ModelFileSpec> Files { get; init; }

    public required TokenizerSpec Tokenizer { get; init; }

    /// <summary>How token vectors become one (embedding models only).</summary>
    public PoolingKind? Pooling { get; set; }

    /// <summary>Whether vectors are L2-normalized (cosine similarity becomes a dot product).</summary>
    public bool Normalize { get; set; } = true;

    public PrefixSpec Prefixes { get; set; } = new();

    /// <summary>Longest input the model accepts, in tokens, including [CLS] and [SEP] (embedding models only).</summary>
    public int MaxTokens { get; set; }

    /// <summary>Width of the vectors (embedding models only).</summary>
    public int Dimensions { get; set; }

    /// <summary>How a text-generation model generates: context, slots, special tokens, template, defaults.</summary>
    public GenerationSpec? Generation { get; set; }

    /// <summary>The folder the manifest was read from; relative source paths resolve against it.</summary>
    [JsonIgnore]
    public string Directory { get; init; } = "";

    /// <summary>
    /// What the model is expected to take from the memory budget before it is loaded: its files, and for a decoder the
    /// KV cache its declared shape needs (<see cref="GenerationSpec.DeclaredCacheBytes"/>).
    /// </summary>
    public long ReservedBytes() => Files.Sum(f => f.Size) + (Generation?.DeclaredCacheBytes() ?? 0);

    /// <summary>The file of <paramref name="role"/>, or null when the manifest has none (optional roles).</summary>
    public ModelFileSpec? FindFile(ModelFileRole role) => Files.FirstOrDefault(f => f.Role == role);

    public ModelFileSpec GetFile(ModelFileRole role) =>
        Files.FirstOrDefault(f => f.Role == role)
        ?? throw new InvalidOperationException($"Bug: model '{Id}' passed validation without a {role} file.");
}
