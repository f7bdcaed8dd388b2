namespace Thaw.Inference.Jobs;

/// <summary>A stored file as OpenAI's Files API shows it (<c>GET /v1/files/{id}</c>).</summary>
public sealed record FileRecord
{
    public required string Id { get; init; }

    public string Object => "file";

    public required long Bytes { get; init; }

    public required long CreatedAt { get; init; }

    public required string Filename { get; init; }

    /// <summary><c>batch</c> for uploaded inputs; <c>batch_output</c> for a batch's output and error files.</summary>
    public required string Purpose { get; init; }

    /// <summary>Unix seconds after which the retention sweep deletes the file; null: kept until deleted.</summary>
    public long? ExpiresAt { get; init; }

    /// <summary>
    /// Thaw's own: the owner of the key that uploaded the file (a batch's output files: the batch's owner). A record
    /// stored before owners existed has none and reads as <see cref="OwnerNames.Default"/>. Not in the API's answers.
    /// </summary>
    public string Owner
    {
        get => _owner;

        // The source-generated reader sets every init property, an absent one to null: that is a record from before owners.
        init => _owner = string.IsNullOrEmpty(value) ? OwnerNames.Default : value;
    }

    private readonly string _owner = OwnerNames.Default;

    /// <summary>Deprecated by OpenAI but still sent by it; a stored file is always <c>processed</c>.</summary>
    public string Status => "processed";
}
