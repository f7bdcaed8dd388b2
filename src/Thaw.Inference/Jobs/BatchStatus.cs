using System.Text.Json.Serialization;

namespace Thaw.Inference.Jobs;

/// <summary>A batch's lifecycle, with OpenAI's names on the wire.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BatchStatus>))]
public enum BatchStatus
{
    [JsonStringEnumMemberName("validating")]
    Validating,

    [JsonStringEnumMemberName("in_progress")]
    InProgress,

    [JsonStringEnumMemberName("finalizing")]
    Finalizing,

    [JsonStringEnumMemberName("completed")]
    Completed,

    [JsonStringEnumMemberName("failed")]
    Failed,

    [JsonStringEnumMemberName("expired")]
    Expired,

    [JsonStringEnumMemberName("cancelling")]
    Cancelling,

    [JsonStringEnumMemberName("cancelled")]
    Cancelled,
}
