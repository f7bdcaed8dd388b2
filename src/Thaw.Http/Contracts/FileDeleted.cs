namespace Thaw.Http.Contracts;

/// <summary><c>DELETE /v1/files/{id}</c>: OpenAI's answer.</summary>
public sealed class FileDeleted
{
    public required string Id { get; init; }

    public string Object => "file";

    public bool Deleted => true;
}
