using System.ComponentModel.DataAnnotations;
using Thaw.Azure.Storage;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Jobs;

/// <summary>
/// <c>Thaw:Requests</c>: where queued requests may be answered. A message's <c>reply_to</c> names a destination; only
/// one listed here is written to, so that a message cannot make Thaw write where its requester has no business (issue
/// 11, item 2). Thaw never creates these: the operator does, and grants the app's identity access to them alone.
/// </summary>
public sealed class RequestsOptions : IValidatableObject
{
    public const string SectionName = "Thaw:Requests";

    /// <summary>Containers of the storage account that blob replies may be created in (never one of Thaw's own).</summary>
    public string[] ReplyContainers { get; set; } = [];

    /// <summary>Queues of the storage account that replies may be sent to (never one of Thaw's own).</summary>
    public string[] ReplyQueues { get; set; } = [];

    /// <summary>
    /// Thaw's own containers with the key that names each, filled by the host from the other sections (never bound):
    /// a reply destination may not be one of them.
    /// </summary>
    internal IReadOnlyList<(string Name, string Key)> OwnedContainers { get; private set; } = [];

    /// <summary>Thaw's own queues (job and request queues and their poison queues) with the key that names each.</summary>
    internal IReadOnlyList<(string Name, string Key)> OwnedQueues { get; private set; } = [];

    /// <summary>Records the containers and queues the other sections give Thaw, each with its key, before validation.</summary>
    internal void Own(StorageOptions storage, FilesOptions files, JobsOptions jobs)
    {
        OwnedContainers =
        [
            (storage.SnapshotContainer, $"{StorageOptions.SectionName}:{nameof(StorageOptions.SnapshotContainer)}"),
            (storage.KeepAliveContainer, $"{StorageOptions.SectionName}:{nameof(StorageOptions.KeepAliveContainer)}"),
            (files.Container, $"{FilesOptions.SectionName}:{nameof(FilesOptions.Container)}"),
        ];
        string jobsKey = $"{JobsOptions.SectionName}:{nameof(JobsOptions.Queue)}";
        string requestsKey = $"{JobsOptions.SectionName}:{nameof(JobsOptions.RequestQueue)}";
        OwnedQueues =
        [
            (jobs.Queue, jobsKey),
            (jobs.Queue + QueueClients.PoisonSuffix, $"{jobsKey} + {QueueClients.PoisonSuffix}"),
            (jobs.RequestQueue, requestsKey),
            (jobs.RequestQueue + QueueClients.PoisonSuffix, $"{requestsKey} + {QueueClients.PoisonSuffix}"),
        ];
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Check(ReplyContainers, "container", OwnedContainers, nameof(ReplyContainers))
            .Concat(Check(ReplyQueues, "queue", OwnedQueues, nameof(ReplyQueues)));

    private static IEnumerable<ValidationResult> Check(string[] names, string kind, IReadOnlyList<(string Name, string Key)> owned, string member)
    {
        foreach (string name in names)
        {
            if (!StorageNames.IsContainerOrQueueName(name))
            {
                yield return new ValidationResult(
                    $"'{name}' is not a {kind} name (3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit).", [member]);
            }
            else if (name.StartsWith(StorageNames.FunctionsHostPrefix, StringComparison.Ordinal))
            {
                yield return new ValidationResult($"'{name}' belongs to the Functions host ({StorageNames.FunctionsHostPrefix}*); replies may never go there.", [member]);
            }
            else if (owned.FirstOrDefault(o => o.Name == name) is { Key: { } key })
            {
                yield return new ValidationResult($"'{name}' is Thaw's own {kind} ({key}); replies may never go there.", [member]);
            }
        }
    }
}
