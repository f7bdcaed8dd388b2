using System.Text.Json;

namespace Thaw.Inference.Jobs;

/// <summary>What a job queue carries: <c>{"type":"batch","batch_id":"batch_..."}</c>. The batch record holds the rest.</summary>
public sealed record JobMessage(string Type, string BatchId)
{
    public const string BatchType = "batch";

    public static JobMessage ForBatch(string batchId) => new(BatchType, batchId);

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, JobsJsonContext.Default.JobMessage);

    /// <summary>Parses a queue message; <paramref name="problem"/> says why one is not a job (it goes to dead-letter).</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out JobMessage message, out string problem)
    {
        message = null!;
        try
        {
            JobMessage? parsed = JsonSerializer.Deserialize(body, JobsJsonContext.Default.JobMessage);
            // The id names files and blobs: one that is not an id Thaw makes is refused before anything touches storage.
            if (parsed is not { Type: BatchType } || parsed.BatchId is null || !JobIds.IsWellFormed(parsed.BatchId))
            {
                problem = "The message is not a Thaw job: expected {\"type\":\"batch\",\"batch_id\":\"batch_...\"}.";
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
