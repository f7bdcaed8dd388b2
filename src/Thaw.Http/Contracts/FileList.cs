using Thaw.Inference.Jobs;

namespace Thaw.Http.Contracts;

/// <summary><c>GET /v1/files</c>: OpenAI's cursor page.</summary>
public sealed class FileList
{
    public string Object => "list";

    public required IReadOnlyList<FileRecord> Data { get; init; }

    public string? FirstId => Data.Count > 0 ? Data[0].Id : null;

    public string? LastId => Data.Count > 0 ? Data[^1].Id : null;

    public required bool HasMore { get; init; }
}
