namespace Thaw.Inference.Catalog;

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
