using System.Text.Json;
using System.Text.Json.Serialization;

namespace Thaw.Inference.Jobs;

/// <summary>
/// What a job queue carries: <c>{"type":"batch","batch_id":"batch_..."}</c> for a whole batch, with
/// <c>"shard":3</c> for one shard of a split batch (<see cref="BatchShards"/>). The batch record holds the rest.
/// </summary>
public sealed record JobMessage(string Type, string BatchId, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Shard = null)
{
    public const string BatchType = "batch";

    public static JobMessage ForBatch(string batchId) => new(BatchType, batchId);

    public static JobMessage ForShard(string batchId, int shard) => new(BatchType, batchId, shard);

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, JobsJsonContext.Default.JobMessage);

    /// <summary>Parses a queue message; <paramref name="problem"/> says why one is not a job (it goes to dead-letter).</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out JobMessage message, out string problem)
    {
        message = null!;
        try
        {
            JobMessage? parsed = JsonSerializer.Deserialize(body, JobsJsonContext.Default.JobMessage);
            // The id names files and blobs: one that is not an id Thaw makes is refused before anything touches storage.
            if (parsed is not { Type: BatchType } || parsed.BatchId is null || !JobIds.IsWellFormed(parsed.BatchId) || parsed.Shard < 0)
            {
                problem = "The message is not a Thaw job: expected {\"type\":\"batch\",\"batch_id\":\"batch_...\"} and optionally \"shard\" (an index from 0).";
                return false;
            }

            message = parsed;
            problem = "";
            return true;
        }
        catch (JsonException e)
        {
            problem = $"The message is not a Thaw job: not JSON ({e.Message}).";
            return false;
        }
    }
}
