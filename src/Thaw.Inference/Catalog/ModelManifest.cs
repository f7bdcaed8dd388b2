using System.Text.Json.Serialization;

namespace Thaw.Inference.Catalog;

/// <summary>
/// One model as described by <c>models/&lt;id&gt;/model.json</c>: where its files come from, how to
/// tokenize for it and how to turn its outputs into embeddings.
/// </summary>
public sealed record ModelManifest
{
    /// <summary>The id clients put in the <c>model</c> field; equals the manifest's folder name.</summary>
    public required string Id { get; init; }

    public required ModelTask Task { get; init; }

    public string Description { get; init; } = "";

    /// <summary>Where the weights were published originally (for people, not for loading).</summary>
    public string Origin { get; init; } = "";

    public required string License { get; init; }

    public required ModelSourceSpec Source { get; init; }

    public required IReadOnlyList<ModelFileSpec> Files { get; init; }

    public required TokenizerSpec Tokenizer { get; init; }

    public required PoolingKind Pooling { get; init; }

    /// <summary>Whether vectors are L2-normalized (cosine similarity becomes a dot product).</summary>
    public bool Normalize { get; init; } = true;

    public PrefixSpec Prefixes { get; init; } = new();

    /// <summary>Longest input the model accepts, in tokens, including [CLS] and [SEP].</summary>
    public required int MaxTokens { get; init; }

    public required int Dimensions { get; init; }

    /// <summary>The folder the manifest was read from; relative source paths resolve against it.</summary>
    [JsonIgnore]
    public string Directory { get; init; } = "";

    public ModelFileSpec GetFile(ModelFileRole role) =>
        Files.FirstOrDefault(f => f.Role == role)
        ?? throw new InvalidOperationException($"Bug: model '{Id}' passed validation without a {role} file.");
}

[JsonConverter(typeof(JsonStringEnumConverter<ModelTask>))]
public enum ModelTask
{
    Embedding,
}

[JsonConverter(typeof(JsonStringEnumConverter<PoolingKind>))]
public enum PoolingKind
{
    /// <summary>Mean of the token vectors under the attention mask (sentence-transformers' default).</summary>
    Mean,

    /// <summary>The vector of the first ([CLS]) token.</summary>
    Cls,
}

[JsonConverter(typeof(JsonStringEnumConverter<ModelFileRole>))]
public enum ModelFileRole
{
    Model,
    Vocab,
}

/// <summary>Where a model's files come from. <see cref="Kind"/> selects the <c>IModelSource</c>.</summary>
public sealed record ModelSourceSpec
{
    /// <summary><c>nuget</c>, <c>path</c> or <c>blob</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>nuget: the package id.</summary>
    public string? Package { get; init; }

    /// <summary>nuget: the exact package version.</summary>
    public string? Version { get; init; }

    /// <summary>nuget: the assembly inside the package whose manifest resources hold the files.</summary>
    public string? Assembly { get; init; }

    /// <summary>path: a folder, absolute or relative to the manifest's folder.</summary>
    public string? Path { get; init; }

    /// <summary>blob: the container name.</summary>
    public string? Container { get; init; }

    /// <summary>blob: a prefix (virtual folder) inside the container.</summary>
    public string? Prefix { get; init; }
}

/// <summary>One weight or tokenizer file, identified by content.</summary>
public sealed record ModelFileSpec
{
    public required ModelFileRole Role { get; init; }

    /// <summary>File name in the local cache, e.g. <c>model.onnx</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Where the source finds it: a manifest resource (nuget), a relative path (path) or a blob name (blob).</summary>
    public required string Location { get; init; }

    /// <summary>Lower-case hex SHA-256 of the content; a file that does not match is never used.</summary>
    public required string Sha256 { get; init; }

    public required long Size { get; init; }
}

public sealed record TokenizerSpec
{
    /// <summary>Only <c>bert-wordpiece</c> for now.</summary>
    public required string Kind { get; init; }

    public bool Lowercase { get; init; } = true;

    public bool StripAccents { get; init; } = true;
}

/// <summary>Text put before inputs of each kind (asymmetric retrieval models such as Arctic want one on queries).</summary>
public sealed record PrefixSpec
{
    public string Query { get; init; } = "";

    public string Document { get; init; } = "";
}
