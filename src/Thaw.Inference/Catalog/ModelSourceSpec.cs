namespace Thaw.Inference.Catalog;

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
