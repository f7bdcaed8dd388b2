using System.Text.Json.Serialization;

namespace Thaw.Inference.Snapshots;

/// <summary>What publishing a snapshot to the store did.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PublishOutcome>))]
public enum PublishOutcome
{
    [JsonStringEnumMemberName("published")]
    Published,

    /// <summary>The store held it already.</summary>
    [JsonStringEnumMemberName("already_published")]
    AlreadyPublished,

    /// <summary>Another instance holds the publishing lease: it uploads, this one does not.</summary>
    [JsonStringEnumMemberName("published_by_another")]
    PublishedByAnother,

    /// <summary>No snapshot store is configured.</summary>
    [JsonStringEnumMemberName("no_store")]
    NoStore,

    /// <summary>The store could not be reached; the next load tries again.</summary>
    [JsonStringEnumMemberName("store_unavailable")]
    StoreUnavailable,
}
