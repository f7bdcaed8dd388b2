using Thaw.Inference.Jobs;

namespace Thaw.Http.Contracts;

/// <summary><c>GET /v1/files</c>.</summary>
public sealed class FileList
{
    public string Object => "list";

    public required IReadOnlyList<FileRecord> Data { get; init; }

    public bool HasMore => false;
}
