using System.Text.Json.Serialization;

namespace Thaw.Inference.Jobs;

/// <summary>
/// A batch as OpenAI's Batch API shows it (<c>GET /v1/batches/{id}</c>): the same field names, Unix-second
/// timestamps, and the same status values. Immutable: a change is a new record written by conditional update.
/// </summary>
public sealed record BatchRecord
{
    public required string Id { get; init; }

    public string Object => "batch";

    public required string Endpoint { get; init; }

    public BatchErrors? Errors { get; init; }

    public required string InputFileId { get; init; }

    public required string CompletionWindow { get; init; }

    public BatchStatus Status { get; init; } = BatchStatus.Validating;

    public string? OutputFileId { get; init; }

    public string? ErrorFileId { get; init; }

    public required long CreatedAt { get; init; }

    public long? InProgressAt { get; init; }

    public long? ExpiresAt { get; init; }

    public long? FinalizingAt { get; init; }

    public long? CompletedAt { get; init; }

    public long? FailedAt { get; init; }

    public long? ExpiredAt { get; init; }

    public long? CancellingAt { get; init; }

    public long? CancelledAt { get; init; }

    public BatchRequestCounts RequestCounts { get; init; } = BatchRequestCounts.None;

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>
    /// Thaw's own: the owner of the key that created the batch, and of its output and error files. A record stored
    /// before owners existed has none and reads as <see cref="OwnerNames.Default"/>. Not in the API's answers.
    /// </summary>
    public string Owner
    {
        get => _owner;

        // The source-generated reader sets every init property, an absent one to null: that is a record from before owners.
        init => _owner = string.IsNullOrEmpty(value) ? OwnerNames.Default : value;
    }

    private readonly string _owner = OwnerNames.Default;

    /// <summary>Thaw's own: the shards of a batch split into several job messages; absent for a batch run as one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BatchShards? Shards { get; init; }

    /// <summary>The line ranges whose written chains are the batch's results: its shards, or all lines from 0.</summary>
    public IReadOnlyList<LineRange> Ranges() => Shards?.Ranges() ?? [LineRange.All];

    /// <summary>Whether nothing will change any more: completed, failed, expired or cancelled.</summary>
    [JsonIgnore]
    public bool IsTerminal => Status is BatchStatus.Completed or BatchStatus.Failed or BatchStatus.Expired or BatchStatus.Cancelled;
}
